import EventStore
import Foundation

/// Signed checkpoints read from files, and the consistency checks `verify` runs with them.
enum ProofFiles {
    /// The signed checkpoint in `path`, checked against `key`.
    static func checkpoint(_ path: String, key: NoteVerifier) throws -> SignedCheckpoint {
        let text = try KeyFile.read(path, what: "checkpoint")
        do {
            return try SignedCheckpoint(verifying: text, with: key)
        } catch let error as ProofError {
            throw CLIFailure(.integrity, "error: \(path): \(error)")
        }
    }

    /// The later checkpoint in `path`, proven to extend `older`: offline with the consistency proof the
    /// file carries (``ConsistencyProof``, from `checkpoint --from`), else with `proveWithStore` (which asks
    /// the store for one, ``proveConsistent(_:_:log:)``; only then is the store opened).
    ///
    /// - Returns: the later checkpoint, and whether the file carried the proof.
    /// - Throws: ``ProofError`` (`inconsistent`) when it does not extend `older`; a ``CLIFailure`` naming the
    ///   file when it is not a checkpoint signed by `key`.
    static func laterCheckpoint(
        _ path: String, extending older: Checkpoint, key: NoteVerifier,
        proveWithStore: (_ older: Checkpoint, _ newer: Checkpoint) throws -> Void
    ) throws -> (Checkpoint, carried: Bool) {
        let text = try KeyFile.read(path, what: "checkpoint")
        guard ConsistencyProof.looksLikeOne(text) else {
            let newer = try checkpoint(path, key: key).checkpoint
            try proveWithStore(older, newer)
            return (newer, false)
        }
        let proof: ConsistencyProof
        do {
            proof = try ConsistencyProof(parsing: text)
        } catch let error as ProofError {
            throw CLIFailure(.integrity, "error: \(path): \(error)")
        }
        do {
            return (try proof.verify(extending: older, key: key).checkpoint, true)
        } catch let error as ProofError where error.code != .inconsistent {
            throw CLIFailure(.integrity, "error: \(path): \(error)")
        }
    }

    /// Proves that `newer` extends `older` with a consistency proof the store builds (and that is checked
    /// against both signed roots, so the store need not be trusted).
    static func proveConsistent(_ older: Checkpoint, _ newer: Checkpoint, log: any EventLog) async throws {
        guard older.size <= newer.size else {
            throw ProofError(
                .inconsistent, "the later checkpoint is of \(newer.size) events, fewer than the export's \(older.size)")
        }
        let head = try await log.treeHead()
        guard newer.size <= head.size else {
            throw ProofError(
                .inconsistent, "the store holds \(head.size) events, fewer than the checkpoint's \(newer.size)")
        }
        let proof = try await log.consistencyProof(from: older.size, to: newer.size)
        guard
            MerkleHash.verifyConsistency(
                firstSize: older.size, secondSize: newer.size, firstRoot: older.root, secondRoot: newer.root,
                path: proof)
        else {
            throw ProofError(
                .inconsistent, "the later checkpoint does not extend the export's: the log was rewritten in between")
        }
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
