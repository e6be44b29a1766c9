import EnrollmentDomain
import Foundation
import GRDB

extension EventAppender {
    /// Appends an event exactly as another store recorded it: at `position`, with its `version`,
    /// `recordedAt` and chain hash (`import --verbatim` of a full export).
    ///
    /// The chain hash is recomputed from the event and the head and must equal `hash`: a log that does not
    /// reproduce itself byte for byte is refused, and so its tree and every root come out the same.
    ///
    /// - Throws: ``EventStoreError`` (`invalid_event` for a position or version that does not follow,
    ///   a repeated event id, or a bad event; `corrupt` for a hash that does not match).
    public func appendVerbatim(
        _ event: NewEvent, position: Int64, version: Int64, recordedAt: Timestamp, hash: [UInt8]
    ) throws {
        let id = event.eventID.lowercasedString
        let prepared = preparer.prepare(event)
        if let invalid = prepared.invalidReason {
            throw EventStoreError(.invalidEvent, invalid, stream: event.stream, position: position, eventID: id)
        }
        guard position == headPosition + 1 else {
            throw EventStoreError(
                .invalidEvent, "position \(position) does not follow the head \(headPosition)", position: position,
                eventID: id)
        }
        let entry = try streamEntry(event.stream) ?? createStream(event.stream)
        guard version == entry.version + 1 else {
            throw EventStoreError(
                .invalidEvent, "version \(version) does not follow the stream's version \(entry.version)",
                stream: event.stream, position: position, eventID: id)
        }
        var scratch: [UInt8] = []
        let chained = prepared.chainHash(
            previous: headHash, position: position, version: version, recordedAt: recordedAt, scratch: &scratch)
        guard Digest32(bytes: hash) == chained else {
            throw EventStoreError(
                .corrupt, "the hash at position \(position) does not match its content and predecessor",
                position: position, eventID: id)
        }
        guard
            try store(
                prepared, streamID: entry.id, position: position, version: version, recordedAt: recordedAt,
                hash: chained)
        else {
            throw EventStoreError(.invalidEvent, "the event id is repeated", position: position, eventID: id)
        }
    }

    /// The tree of the events appended so far in this transaction and before.
    public var treeHead: TreeHead { tree.head }

    /// Records a checkpoint another store signed, once this store's tree reproduces it: its root must be
    /// this tree's root at its size.
    ///
    /// - Throws: ``ProofError`` `inconsistent` when it does not.
    public func recordCheckpoint(_ signed: SignedCheckpoint, verifier: NoteVerifier) throws {
        let checkpoint = signed.checkpoint
        let root =
            checkpoint.size <= headPosition
            ? try MerkleNodeReader(db).proofs.root(size: checkpoint.size) : nil
        guard root == checkpoint.root else {
            throw ProofError(
                .inconsistent,
                "the imported log does not reproduce the checkpoint of \(checkpoint.size) events its proofs are against"
            )
        }
        try SQLiteEventStore.record(signed, verifier: verifier, db)
    }
}

extension EventAppender {
    /// The last position of the log, including this transaction's appends.
    public var position: Int64 { headPosition }
}
