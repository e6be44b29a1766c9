import EventStore
import PostgresNIO

extension PostgresEventStore {
    /// Runs `body` in one `REPEATABLE READ READ ONLY` transaction on a connection of the pool: every
    /// statement of `body` sees the same snapshot, and a hot standby serves it. Not tried again when the
    /// connection is lost: `body` may have handed rows on already (a listing streamed to the output), which
    /// a second run would repeat; the error names the store.
    ///
    /// Nonisolated, so that `body` may call back into its caller's closures as rows arrive.
    nonisolated func snapshot<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error where error is PSQLError || PostgresErrors.isConnectionLoss(error) {
            throw PostgresErrors.outOfAttempts(error, attempts: 1, since: started, location: location)
        }
    }
}
