import EventStore
import PostgresNIO

extension PostgresEventStore {
    /// Runs `body` in one transaction on a connection of the pool, tried again with bounded backoff when
    /// the server aborts it as a serialization failure (40001) or a deadlock (40P01) (``PostgresStoreConfiguration/retry``),
    /// or when its connection is lost: the server restarted, the backend was terminated, the network cut
    /// (``PostgresStoreConfiguration/reconnect``; the pool replaces the connection). A transaction whose
    /// connection was lost before COMMIT rolled back; one lost during COMMIT may have committed, which is
    /// why the bodies that write are safe to run again (appends are idempotent by event id). Every other
    /// error rolls back and is thrown.
    ///
    /// Each attempt runs until it returns or its connection closes, whichever comes first
    /// (``ClosedConnections``): postgres-nio drops a query written to a connection whose channel has closed
    /// and never completes it, so an attempt whose connection died between two queries would otherwise wait
    /// for ever. A connection lost under an attempt is closed, and the pool has heard of it, before the
    /// retry leases one: the pool never hands it out again.
    func transaction<T: Sendable>(
        readOnly: Bool = false, _ body: @escaping (PostgresConnection) async throws -> T
    ) async throws -> T {
        var conflicts = 0
        var losses = 0
        let started = ContinuousClock.now
        while true {
            do {
                return try await client.withConnection { connection in
                    let outcome = FirstOutcome<T>()
                    let attempt = Task {
                        do {
                            outcome.resolve(.success(try await self.attempt(on: connection, readOnly: readOnly, body)))
                        } catch {
                            outcome.resolve(.failure(error))
                        }
                    }
                    do {
                        return try await closedConnections.wait(for: outcome, of: attempt, on: connection)
                    } catch let error where PostgresErrors.isConnectionLoss(error) {
                        await ClosedConnections.discard(connection)
                        throw error
                    }
                }
            } catch let error where PostgresErrors.isTransient(error) && conflicts + 1 < retry.attempts {
                conflicts += 1
                retriedTransactions += 1
                logger.info("transaction retried", metadata: ["attempt": "\(conflicts)", "store": "\(location)"])
                try await Task.sleep(for: retry.delay(beforeAttempt: conflicts))
            } catch let error
                where PostgresErrors.isConnectionLoss(error) && losses + 1 < configuration.reconnect.attempts
            {
                losses += 1
                reconnectedTransactions += 1
                logger.warning(
                    "connection lost; transaction tried again on a new connection",
                    metadata: ["attempt": "\(losses)", "store": "\(location)", "error": "\(Self.describe(error))"])
                try await Task.sleep(for: configuration.reconnect.delay(beforeAttempt: losses))
            } catch {
                throw PostgresErrors.outOfAttempts(error, attempts: losses + 1, since: started, location: location)
            }
        }
    }

    /// One attempt: BEGIN, `body`, COMMIT (ROLLBACK when `body` throws). A connection the pool hands out
    /// already closed (it died after its last use, before the pool heard of it) is a lost connection.
    private func attempt<T: Sendable>(
        on connection: PostgresConnection, readOnly: Bool, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        if connection.isClosed { throw PostgresErrors.ConnectionClosed(whenLeased: true) }
        // Explicit levels: a role's default_transaction_isolation must not change how appends read the head
        // (READ COMMITTED sees the previous appender's commit once it has the lock).
        try await connection.query(
            readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL READ COMMITTED",
            logger: logger)
        do {
            let value = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            // A lost connection rolled the transaction back with it; a query on it could wait for ever.
            if !PostgresErrors.isConnectionLoss(error) && !connection.isClosed {
                _ = try? await connection.query("ROLLBACK", logger: logger)
            }
            throw error
        }
    }

    /// An error for a log line: the SQLSTATE and message, or the client's error code, never parameters.
    static func describe(_ error: any Error) -> String {
        if PostgresErrors.isCircuitBreakerTripped(error) {
            return "no connection could be opened for a while: the pool's circuit breaker tripped"
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let state = info[.sqlState] { return "\(state) \(info[.message] ?? "")" }
        return "\(error.code)"
    }
}
