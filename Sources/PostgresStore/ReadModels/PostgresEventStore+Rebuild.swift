import EnrollmentDomain
import PostgresNIO

extension PostgresEventStore {
    /// Empties the read models' tables and replays the whole log through the folds into them, in one
    /// transaction that holds the position lock (appends wait for it; readers see the old tables until it
    /// commits), a page of events at a time (``PostgresReadModels``: memory bounded by the page and the
    /// folds' bounds). Every read model is rebuilt: the `device_status` fold reads the identity tables.
    ///
    /// - Returns: how many events were replayed.
    @discardableResult
    public func rebuildReadModels(progress: (@Sendable (Int64) -> Void)? = nil) async throws -> Int64 {
        try await transaction { [self] connection in
            _ = try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.positionLockKey))", logger: logger
            ).collect()
            for table in Self.projectionTables where table != "projection_checkpoints" {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: logger)
            }
            var after: Int64 = 0
            var count: Int64 = 0
            while true {
                let page = try await PostgresEventRow.page(
                    after: after, limit: PostgresReadModels.flushInterval, on: connection, logger: logger)
                guard let last = page.last else { break }
                projectionQueries += try await PostgresReadModels.apply(page, on: connection, logger: logger)
                after = last.position
                count += Int64(page.count)
                progress?(after)
            }
            return count
        }
    }
}
