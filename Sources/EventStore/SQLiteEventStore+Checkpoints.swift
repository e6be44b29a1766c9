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

    /// Signs and records a checkpoint of the tree as it is now (``signCheckpoint(with:extensions:)``), with
    /// the consistency proof from the tree of `oldSize` events, for whoever holds a checkpoint of that size.
    ///
    /// - Throws: `invalidEvent` when `oldSize` is negative or larger than the tree.
    public func signCheckpoint(with signer: NoteSigner, provingFrom oldSize: Int64) throws -> ConsistencyProof {
        let head = try treeHead()
        guard oldSize >= 0, oldSize <= head.size else {
            throw EventStoreError(
                .invalidEvent, "the store's tree holds \(head.size) events: no consistency proof from \(oldSize)",
                path: path)
        }
        let signed = try signCheckpoint(with: signer)
        return ConsistencyProof(
            oldSize: oldSize, path: try consistencyProof(from: oldSize, to: signed.checkpoint.size),
            checkpoint: signed.note)
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
                guard older.size <= head.size else {
                    throw ProofError(
                        .inconsistent,
                        "the checkpoint is of \(older.size) events, but the store holds \(head.size): events were removed"
                    )
                }
                return (head, try MerkleNodeReader(db).proofs.consistencyProof(first: older.size, second: head.size))
            }
        }
        guard
            MerkleHash.verifyConsistency(
                firstSize: older.size, secondSize: head.size, firstRoot: older.root, secondRoot: head.root, path: proof)
        else {
            throw ProofError(
                .inconsistent,
                "the store's tree of \(head.size) events does not extend the checkpoint of \(older.size): history was rewritten"
            )
        }
        return (head, proof)
    }
}
