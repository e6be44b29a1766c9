import EnrollmentDomain
import EventStore
import Foundation
import Logging
import PostgresNIO

/// The event log on PostgreSQL, with the contract of ``EventLog`` exactly as on SQLite.
///
/// One value owns one connection (postgres-nio, on its own event loops) and runs one transaction at a time
/// on it; several values (in one process or on several hosts) append concurrently, serialised by the
/// server only for the position and tree step (``PostgresEventStore/positionLockKey``, held to commit).
/// Every call is async and never blocks an event loop or a Swift concurrency thread.
///
/// ```swift
/// let store = try await PostgresEventStore.open(PostgresLocation("postgres://audit@db/audit"))
/// try await store.append(events)
/// ```
public actor PostgresEventStore: EventLog {
    public nonisolated let location: String
    let address: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger
    let retry: RetryPolicy
    /// How many transactions were tried again after a serialization failure or a deadlock.
    public private(set) var retriedTransactions = 0
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// The advisory lock every append (and every migration, with its own key) holds until it commits:
    /// the one serial step, which makes positions gapless and in commit order.
    public static let positionLockKey: Int64 = 0x656E_726F_6C6C_0001
    static let migrationLockKey: Int64 = 0x656E_726F_6C6C_0002

    init(address: PostgresLocation, connection: PostgresConnection, logger: Logger, retry: RetryPolicy) {
        self.address = address
        self.location = address.description
        self.connection = connection
        self.logger = logger
        self.retry = retry
    }

    /// Connects to the store at `address`.
    ///
    /// - Parameters:
    ///   - migrate: apply the migrations this version knows that the database lacks (needs the owner role);
    ///     `false`: a database without every migration is refused (`schema_too_old`, or `store_not_found`
    ///     when it holds none).
    /// - Throws: ``EventStoreError`` (`unavailable` when the server cannot be reached, `schema_too_new`,
    ///   `schema_too_old`, `store_not_found`, `read_only` when the role may not migrate).
    public static func open(
        _ address: PostgresLocation, migrate: Bool = true, retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "enroll-audit.postgres")
    ) async throws -> PostgresEventStore {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try address.configuration(), id: ConnectionIDs.next(), logger: logger)
        } catch {
            throw PostgresErrors.translate(error, location: address.description)
        }
        let store = PostgresEventStore(address: address, connection: connection, logger: logger, retry: retry)
        do {
            try await store.prepareSchema(migrate: migrate)
        } catch {
            try? await connection.close()
            throw error
        }
        return store
    }

    /// Closes the connection.
    public func close() async {
        try? await connection.close()
    }

    /// Runs `body` alone on the connection (calls on one value wait their turn: a transaction is never
    /// interleaved with another call's statements).
    func exclusively<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }

    /// Runs `body` in one transaction, tried again (bounded, with backoff) when the server reports a
    /// serialization failure (40001) or a deadlock (40P01); every other error rolls back and is thrown.
    func transaction<T: Sendable>(
        readOnly: Bool = false, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await exclusively {
            var attempt = 0
            while true {
                do {
                    // Explicit levels: a role's default_transaction_isolation must not change how appends
                    // read the head (READ COMMITTED sees the previous appender's commit once it has the lock).
                    try await connection.query(
                        readOnly
                            ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                            : "BEGIN ISOLATION LEVEL READ COMMITTED",
                        logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                } catch let error where PostgresErrors.isTransient(error) && attempt + 1 < retry.attempts {
                    attempt += 1
                    retriedTransactions += 1
                    logger.info("transaction retried", metadata: ["attempt": "\(attempt)", "store": "\(location)"])
                    try await Task.sleep(for: retry.delay(beforeAttempt: attempt))
                } catch {
                    throw PostgresErrors.translate(error, location: location)
                }
            }
        }
    }

    /// The store's clock: now, in whole milliseconds.
    static func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// Connection ids for postgres-nio's log metadata.
enum ConnectionIDs {
    private static let counter = Counter()
    static func next() -> Int { counter.next() }

    private final class Counter: @unchecked Sendable {
        // @unchecked: `value` is only touched under `lock`.
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }
}
