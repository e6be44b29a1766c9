import EnrollmentDomain
import EventStore
import PostgresNIO

extension PostgresEventStore {
    /// What ``restore(from:progress:)`` wrote.
    public struct Restored: Sendable {
        public var events: Int64
        public var tree: TreeHead
        /// The source's checkpoints, recorded here, oldest first.
        public var checkpoints: [RecordedCheckpoint]
    }

    /// Appends the whole of `source` into this log, which must hold no events, exactly as `source` recorded
    /// it (positions, versions, `recorded_at`, chain hashes, each checked as ``appendVerbatim(_:)`` checks it), with its read models,
    /// and records every checkpoint of `source` once the tree reproduces its root: all in **one**
    /// transaction, so a failure anywhere (a hash, a checkpoint, a lost connection) stores nothing. The
    /// events are read from `source` a page of 4,096 at a time (memory stays flat), again from the start
    /// when the transaction is tried again. It holds the position lock throughout: appends wait.
    ///
    /// - Throws: ``EventStoreError`` `invalid_event` when this log holds events (nothing is written);
    ///   ``ProofError`` `inconsistent` when a checkpoint is not reproduced; what `source` throws.
    public func restore(from source: any EventLog, progress: (@Sendable (Int64) -> Void)? = nil) async throws
        -> Restored
    {
        let end = try await source.head().position
        let checkpoints = try await source.checkpoints().filter { $0.signed.checkpoint.size <= end }
        return try await transaction { [self] connection in
            let batch = try await PositionStep.begin(connection, logger: logger)
            guard batch.position == 0 else {
                throw EventStoreError(
                    .invalidEvent, "the store already holds \(batch.position) events: import into a new one",
                    path: location)
            }
            var next: Int64 = 0
            while next < end {
                let page = try await source.events(after: next, limit: Int(min(4096, end - next)))
                guard let last = page.last?.position else { break }
                try await batch.addVerbatim(page)
                try await applyReadModels(page, on: connection)
                next = last
                progress?(last)
            }
            for checkpoint in checkpoints { try await Self.record(checkpoint, connection, logger) }
            return Restored(
                events: batch.position, tree: try await Self.treeHead(connection, logger: logger),
                checkpoints: checkpoints)
        }
    }
}
