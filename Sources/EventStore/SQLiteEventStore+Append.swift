import EnrollmentDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// Runs `body` in one IMMEDIATE write transaction: everything it appends is committed together, or
    /// nothing is when it throws. Projections are updated inside the same transaction.
    ///
    /// Use it for streaming ingest: one transaction however many events, in constant memory.
    ///
    /// - Throws: whatever `body` throws (after rolling back), or an ``EventStoreError``.
    public func write<T>(_ body: (EventAppender) throws -> T) throws -> T {
        guard !configuration.readOnly else {
            throw EventStoreError(.readOnly, "the store was opened read-only", path: path)
        }
        return try translatingErrors {
            try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    let appender = try EventAppender(
                        db: db, codec: codec, projections: configuration.projections, clock: Self.now)
                    result = try body(appender)
                    if appender.headPosition > 0 {
                        try appender.projections.finish(db, position: appender.headPosition)
                    }
                    return .commit
                }
                return result!
            }
        }
    }

    /// Appends a batch in one transaction: all or nothing.
    ///
    /// ```swift
    /// let result = try store.append(events, expectedVersions: ["UE-81598a878e2f": 3])
    /// ```
    ///
    /// - Parameters:
    ///   - events: the batch, in order.
    ///   - expectedVersions: per stream, the version it must be at before this batch (0: must not exist).
    /// - Returns: one outcome per event (appended or duplicate).
    /// - Throws: ``EventStoreError`` (`invalid_event`, `version_conflict`, `event_id_conflict`, …): nothing
    ///   of the batch is stored.
    @discardableResult
    public func append(_ events: [NewEvent], expectedVersions: [String: Int64] = [:]) throws -> AppendResult {
        try write { appender in
            for (stream, expected) in expectedVersions {
                try EventStoreError.requireVersion(
                    of: stream, expected: expected, actual: try appender.version(of: stream))
            }
            var result = AppendResult()
            result.outcomes.reserveCapacity(events.count)
            for event in events {
                result.outcomes.append(try appender.append(event))
            }
            return result
        }
    }

    /// The store's clock: now, in whole milliseconds.
    static func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
