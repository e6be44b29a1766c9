import EnrollmentDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// Signs a checkpoint of the tree as it is now and records it in `checkpoints` (append-only), in one
    /// write transaction.
    ///
    /// - Parameters:
    ///   - signer: the log's key; its name is the checkpoint's origin.
    ///   - extensions: extension lines for the checkpoint (an export's ``ExportSet``), given the tree head.
    public func signCheckpoint(
        with signer: NoteSigner, extensions: (TreeHead) throws -> [String] = { _ in [] }
    ) throws -> SignedCheckpoint {
        guard !configuration.readOnly else {
            throw EventStoreError(.readOnly, "the store was opened read-only", path: path)
        }
        return try translatingErrors {
            try pool.write { db in
                let head = try Self.treeHead(db)
                let checkpoint = Checkpoint(
                    origin: signer.name, size: head.size, root: head.root, extensions: try extensions(head))
                let signed = try SignedCheckpoint(signing: checkpoint, with: signer)
                try Self.record(signed, verifier: signer.verifier, db)
                return signed
            }
        }
    }

    /// Inserts a signed checkpoint into `checkpoints`.
    static func record(_ signed: SignedCheckpoint, verifier: NoteVerifier, _ db: Database) throws {
        let checkpoint = signed.checkpoint
        try db.execute(
            sql: """
                INSERT INTO checkpoints (size, root, origin, verifier_key, note, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                checkpoint.size, Data(checkpoint.root), checkpoint.origin, verifier.encoded, signed.note,
                now().milliseconds,
            ])
    }

    /// The last checkpoint the store recorded of its tree alone (not one signed for an export, which
    /// states the export's events), or `nil` when it never signed one.
    public func latestCheckpoint() throws -> SignedCheckpoint? {
        try translatingErrors {
            try pool.read { db in
                let rows = try Row.fetchCursor(db, sql: "SELECT note, verifier_key FROM checkpoints ORDER BY id DESC")
                while let row = try rows.next() {
                    let signed = try SignedCheckpoint(verifying: row[0], with: NoteVerifier(encoded: row[1]))
                    if ExportSet(checkpoint: signed.checkpoint) == nil { return signed }
                }
                return nil
            }
        }
    }

    /// Proves that the store's tree extends `older`: its root at `older`'s size is recomputed from the
    /// stored nodes and a consistency proof (RFC 9162 §2.1.4) to the current root is built and checked.
    ///
    /// Run ``verify(expectedDigest:expectedPosition:progress:)`` too: it recomputes the stored nodes from
    /// the events.
    ///
    /// - Returns: the current tree head and the proof.
    /// - Throws: `inconsistent` (a ``ProofError``) when the store does not extend it.
    public func proveExtends(_ older: Checkpoint) throws -> (head: TreeHead, proof: [[UInt8]]) {
        let (head, proof) = try translatingErrors {
            try pool.read { db in
                let head = try Self.treeHead(db)
                try LogAudit.requireSize(of: older, within: head)
                return (head, try MerkleNodeReader(db).proofs.consistencyProof(first: older.size, second: head.size))
            }
        }
        try LogAudit.requireExtends(older, head: head, proof: proof)
        return (head, proof)
    }
}

extension SQLiteEventStore {
    /// Every checkpoint the store recorded, oldest first, each verified with the key it names.
    public func recordedCheckpoints() throws -> [RecordedCheckpoint] {
        try translatingErrors {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT note, verifier_key FROM checkpoints ORDER BY id").map { row in
                    let verifier = try NoteVerifier(encoded: row[1])
                    return RecordedCheckpoint(
                        signed: try SignedCheckpoint(verifying: row[0], with: verifier), verifier: verifier)
                }
            }
        }
    }
}
