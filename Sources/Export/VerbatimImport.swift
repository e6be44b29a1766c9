import EnrollmentDomain
import EventStore

/// Restores a full NDJSON export into an empty store exactly as the source recorded it: positions,
/// versions, `recorded_at` and hashes kept, so that the Merkle tree, every root and every proof in the
/// export come out the same; the checkpoint the proofs are against is recorded in the new store.
///
/// All in one transaction: a line that does not reproduce the source's log (its chain hash differs, a
/// position is missing, the checkpoint's root is not the new tree's) refuses the whole import.
public struct VerbatimImport {
    /// Why an import was refused, with the line.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The line (0: the file as a whole).
        public var line: Int
        public var message: String
        public var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    /// What was imported.
    public struct Report: Sendable {
        public var events: Int64 = 0
        public var tree = TreeHead(size: 0, root: MerkleHash.emptyRoot)
        /// The checkpoint of the export's proofs, now recorded in the store.
        public var checkpoint: SignedCheckpoint?
    }

    let verifier: NoteVerifier?

    /// - Parameter verifier: the source log's verifier key, needed when the lines carry proofs.
    public init(verifier: NoteVerifier?) {
        self.verifier = verifier
    }

    /// Imports the lines `next` yields into `store`, which must hold no events.
    public func run(into store: SQLiteEventStore, lines next: () throws -> [UInt8]?) throws -> Report {
        try store.write { appender in
            guard appender.position == 0 else {
                throw Failure(
                    line: 0, message: "the store already holds \(appender.position) events: import into a new one")
            }
            var report = Report()
            var note: String?
            var lineNumber = 0
            while let line = try next() {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                do {
                    let proof = try appendLine(line, to: appender)
                    if let proof {
                        guard note == nil || note == proof.checkpoint else {
                            throw Failure(line: lineNumber, message: "the line is proven against another checkpoint")
                        }
                        note = proof.checkpoint
                    }
                } catch let failure as Failure {
                    throw Failure(line: lineNumber, message: failure.message)
                } catch {
                    throw Failure(line: lineNumber, message: "\(error)")
                }
                report.events += 1
            }
            report.tree = appender.treeHead
            if let note {
                guard let verifier else {
                    throw Failure(
                        line: 0, message: "the export carries proofs: pass --key KEY.pub, the source log's verifier key"
                    )
                }
                do {
                    let signed = try SignedCheckpoint(verifying: note, with: verifier)
                    try appender.recordCheckpoint(signed, verifier: verifier)
                    report.checkpoint = signed
                } catch let error as ProofError {
                    throw Failure(line: 0, message: error.message)
                }
            }
            return report
        }
    }

    /// Appends one exported line verbatim; returns its proof, if it carries one.
    private func appendLine(_ line: [UInt8], to appender: EventAppender) throws -> TlogProof? {
        guard let object = try? JSONParser.parse(line), let members = object.objectValue,
            let position = members["position"]?.intValue, let version = members["version"]?.intValue,
            let recorded = members["recorded_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
            let hash = members["hash"]?.stringValue.flatMap(ExportVerifier.hexBytes)
        else {
            throw Failure(line: 0, message: "not an exported event (position, version, recorded_at, hash)")
        }
        let proof = try members["proof"]?.stringValue.map(TlogProof.init(parsing:))
        try appender.appendVerbatim(
            try NewEvent(json: object), position: position, version: version, recordedAt: recorded, hash: hash)
        return proof
    }
}
