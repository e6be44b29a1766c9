import EnrollmentDomain
import EventStore
import Foundation

/// Checks an NDJSON export offline, without the store.
///
/// An export whose lines carry a `proof` member is checked against the signed checkpoint the proofs
/// share, with the log's verifier key: see ``verify(lines:key:)``. Without proofs, only the hash chain is
/// recomputed. A full export (starting at position 1) is checked from the genesis hash: every line's `hash` must be
/// the SHA-256 of the previous hash and the line's canonical bytes, positions must be gapless, and the
/// last hash is the digest the export carries. A partial export (e.g. `--since`) can only be checked
/// link by link where positions are consecutive; its first event's hash is taken on trust.
public struct ExportVerifier {
    /// The outcome of a check.
    public struct Report: Sendable {
        public var ok: Bool { problem == nil }
        /// Lines checked.
        public var events: Int64 = 0
        public var firstPosition: Int64?
        public var headPosition: Int64 = 0
        /// The hash of the last line: the digest of the chain at ``headPosition``.
        public var headHash = ""
        /// Whether the export starts at position 1 (a full check) or later (links only).
        public var complete = true
        /// The line of the first problem.
        public var firstBadLine: Int?
        public var firstBadPosition: Int64?
        public var problem: String?
        /// Whether the lines carry proofs (``checkpoint`` then holds the checkpoint they are proven against).
        public var carriesProofs = false
        public var checkpoint: SignedCheckpoint?
        /// Whether the lines are provably all the export held: its checkpoint's export set, or every leaf
        /// of its tree in order. `false` for an export without proofs.
        public var provenComplete = false
    }

    public init() {}

    /// Checks the lines `next` yields (each one NDJSON line without its line ending).
    ///
    /// Lines with proofs need `key`, the log's verifier key: every leaf is rebuilt from its line, every
    /// inclusion proof and the checkpoint's signature are checked, and the lines must be the export set
    /// the checkpoint states. Without proofs, a partial export is reported as a problem: its links can be
    /// checked, but not that its events were not edited, removed or made up.
    ///
    /// - Throws: ``KeyNeeded`` when the lines carry proofs and `key` is `nil`.
    public func verify(lines next: () throws -> [UInt8]?, key: NoteVerifier?) throws -> Report {
        var first: [UInt8]?
        var firstLine = 0
        while let line = try next() {
            firstLine += 1
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                first = line
                break
            }
        }
        // Replay the blank lines too, so that line numbers stay those of the file.
        var replay: [[UInt8]] = first.map { Array(repeating: [], count: firstLine - 1) + [$0] } ?? []
        func lines() throws -> [UInt8]? { replay.isEmpty ? try next() : replay.removeFirst() }
        let hasProof = first.flatMap { try? JSONParser.parse($0) }?.objectValue?["proof"] != nil
        guard hasProof else {
            var report = try verify(lines: lines)
            if report.ok && !report.complete {
                report.problem =
                    "a partial export without proofs cannot show that its events were not edited, removed or made up "
                    + "(only that consecutive lines link up): export it again with --proof"
            }
            return report
        }
        guard let key else { throw KeyNeeded() }
        return try ExportProofVerifier(key: key).verify(lines: lines)
    }

    /// The export carries proofs, and checking them needs the log's verifier key.
    public struct KeyNeeded: Error {}

    /// Recomputes the hash chain of the lines `next` yields (each one NDJSON line without its line ending).
    public func verify(lines next: () throws -> [UInt8]?) throws -> Report {
        var report = Report()
        var previous: [UInt8]?
        var expectedPosition: Int64?
        var lineNumber = 0
        while let line = try next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            func fail(_ position: Int64?, _ problem: String) -> Report {
                report.firstBadLine = lineNumber
                report.firstBadPosition = position
                report.problem = problem
                return report
            }
            guard let object = try? JSONParser.parse(line), let members = object.objectValue,
                let position = members["position"]?.intValue, let version = members["version"]?.intValue,
                let recordedText = members["recorded_at"]?.stringValue,
                let recordedAt = Timestamp(iso8601: recordedText), let hashText = members["hash"]?.stringValue
            else {
                return fail(nil, "line \(lineNumber) is not an exported event (position, version, recorded_at, hash)")
            }
            let event: NewEvent
            do {
                event = try NewEvent(json: object)
            } catch {
                return fail(position, "line \(lineNumber): \(error)")
            }
            if report.firstPosition == nil {
                report.firstPosition = position
                report.complete = position == 1
                previous = position == 1 ? EventHashing.genesis : nil
            } else if position != expectedPosition {
                guard report.complete else {
                    previous = nil
                    expectedPosition = position + 1
                    report.events += 1
                    report.headPosition = position
                    report.headHash = hashText
                    continue
                }
                return fail(position, "position \(expectedPosition ?? 0) is missing (found \(position))")
            }
            let canonical = EventHashing.canonicalBytes(
                position: position, version: version, recordedAt: recordedAt, event: event,
                data: JSONValue.object(event.data).canonicalBytes)
            if let previous {
                let hash = EventHashing.chain(previous: previous, canonical: canonical).hexString
                guard hash == hashText.lowercased() else {
                    return fail(position, "the hash at position \(position) does not match its content and predecessor")
                }
            }
            previous = Self.hexBytes(hashText)
            expectedPosition = position + 1
            report.events += 1
            report.headPosition = position
            report.headHash = hashText.lowercased()
        }
        return report
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}
