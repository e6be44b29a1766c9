import Foundation
import PostgresNIO

/// Runs the synchronous folds (``IdentityFold``, ``DeviceStatusFold`` and their readers and applier) on a
/// thread of their own, and lets that thread wait for async queries on the append transaction's connection.
///
/// The folds and their protocols are synchronous; postgres-nio is async. The fold work runs on a new
/// `Thread` (never a Swift concurrency thread or a NIO event loop, so blocking it starves neither); the
/// transaction's task awaits it, suspended, so the connection is used by one query at a time: the fold
/// thread's. Each ``query(_:)`` starts a task that runs the query on the connection and blocks the fold
/// thread on a semaphore until it is done (or the connection closed). `roundTrips` counts them (docs/postgres.md, "Read models").
final class PostgresFoldThread: @unchecked Sendable {
    // Unchecked: used from the fold thread only; the tasks it starts see only the connection and logger.
    let connection: PostgresConnection
    let logger: Logger
    /// How many queries the fold work sent.
    private(set) var roundTrips = 0

    private init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `work` on a new thread with a ``PostgresFoldThread`` on `connection`, and returns what it returns.
    static func run<T: Sendable>(
        on connection: PostgresConnection, logger: Logger,
        _ work: @escaping @Sendable (PostgresFoldThread) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                let bridge = PostgresFoldThread(connection: connection, logger: logger)
                do {
                    continuation.resume(returning: try work(bridge))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "enroll-audit.postgres-folds"
            // The folds recurse little, but a StatusFold over a long enrollment is deep enough to want room.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `body` on the connection and waits for it on this (the fold) thread.
    func query<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws -> T {
        roundTrips += 1
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        let connection = connection
        let logger = logger
        Task {
            do {
                outcome.value = .success(try await body(connection, logger))
            } catch {
                outcome.value = .failure(error)
            }
            done.signal()
        }
        // A query on a connection that closed under it may never complete (postgres-nio drops it; see
        // ClosedConnections): the transaction has then moved on to its retry, and this thread must not wait
        // for ever behind it.
        while done.wait(timeout: .now() + .seconds(1)) == .timedOut {
            if connection.isClosed { throw PostgresErrors.ConnectionClosed() }
        }
        guard let value = outcome.value else { throw CancellationError() }
        return try value.get()
    }

    /// Runs a query and collects its rows.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try self.query { connection, logger in try await connection.query(query, logger: logger).collect() }
    }

    /// Runs a statement that returns no rows worth reading.
    func execute(_ query: PostgresQuery) throws {
        _ = try rows(query)
    }

    /// The outcome of one query, written by its task before it signals, read after the wait.
    private final class Outcome<T>: @unchecked Sendable {
        var value: Result<T, any Error>?
    }
}
