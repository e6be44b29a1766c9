import EnrollmentDomain
import EventStore
import Foundation
import Logging
import PostgresNIO

/// The event log on PostgreSQL, with the contract of ``EventLog`` exactly as on SQLite.
///
/// One value holds a pool of connections (postgres-nio's `PostgresClient`, at most
/// ``PostgresStoreConfiguration/connections`` of them), so concurrent calls (a server's requests) run on
/// connections of their own instead of queueing behind one; several values (in one process or on several
/// hosts) append concurrently, serialised by the server only for the position and tree step
/// (``PostgresEventStore/positionLockKey``, held to commit). Every call is async and never blocks an event
/// loop or a Swift concurrency thread.
///
/// ```swift
/// let store = try await PostgresEventStore.open(PostgresLocation("postgres://audit@db/audit"))
/// try await store.append(events)
/// ```
public actor PostgresEventStore: EventLog {
    public nonisolated let location: String
    let address: PostgresLocation
    let client: PostgresClient
    /// Frees a transaction whose connection closes under it.
    let closedConnections = ClosedConnections()
    private let running: Task<Void, Never>
    let logger: Logger
    public nonisolated let configuration: PostgresStoreConfiguration
    var retry: RetryPolicy { configuration.retry }
    /// How many transactions were tried again after a serialization failure or a deadlock.
    public internal(set) var retriedTransactions = 0
    /// How many transactions were tried again after their connection was lost (server restarted, backend
    /// terminated, network cut).
    public internal(set) var reconnectedTransactions = 0
    /// How many queries the read models' folds sent in append transactions (``PostgresReadModels``).
    public internal(set) var projectionQueries = 0

    /// The advisory lock every append (and every migration, with its own key) holds until it commits:
    /// the one serial step, which makes positions gapless and in commit order.
    public static let positionLockKey: Int64 = 0x656E_726F_6C6C_0001
    static let migrationLockKey: Int64 = 0x656E_726F_6C6C_0002

    init(address: PostgresLocation, configuration: PostgresStoreConfiguration, logger: Logger) throws {
        self.address = address
        self.location = address.description
        self.configuration = configuration
        self.logger = logger
        var pool = try address.clientConfiguration()
        pool.options.maximumConnections = configuration.connections
        pool.options.minimumConnections = 0
        // The pool's own log at errors only: it warns when a lease comes before `run()` has begun, which the
        // task below may not have yet (the lease just waits for it); lost connections are reported by the
        // calls that meet them.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: pool, backgroundLogger: background)
        self.client = client
        running = Task { await client.run() }
    }

    /// Connects to the store at `address`.
    ///
    /// The server is reached once first with a connection of its own (tried again with
    /// ``PostgresStoreConfiguration/reconnect`` while it refuses connections or is starting up), so that an
    /// unreachable server, a wrong password or a missing database is reported at once; the pool then opens
    /// its connections as calls need them.
    ///
    /// - Parameters:
    ///   - migrate: apply the migrations this version knows that the database lacks (needs the owner role);
    ///     `false`: a database without every migration is refused (`schema_too_old`, or `store_not_found`
    ///     when it holds none).
    /// - Throws: ``EventStoreError`` (`unavailable` when the server cannot be reached, `schema_too_new`,
    ///   `schema_too_old`, `store_not_found`, `read_only` when the role may not migrate).
    public static func open(
        _ address: PostgresLocation, migrate: Bool = true,
        configuration: PostgresStoreConfiguration? = nil,
        logger: Logger = Logger(label: "enroll-audit.postgres")
    ) async throws -> PostgresEventStore {
        let configuration = configuration ?? PostgresStoreConfiguration(address: address)
        let probe = try await connect(address, policy: configuration.reconnect, logger: logger)
        try? await probe.close()
        let store = try PostgresEventStore(address: address, configuration: configuration, logger: logger)
        do {
            try await store.prepareSchema(migrate: migrate)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// One connection of its own (not from the pool): tried again with `policy` while the server refuses
    /// connections or is starting up; a clear ``EventStoreError`` `unavailable` when it never answers.
    static func connect(_ address: PostgresLocation, policy: RetryPolicy, logger: Logger) async throws
        -> PostgresConnection
    {
        var attempt = 0
        let started = ContinuousClock.now
        while true {
            do {
                return try await PostgresConnection.connect(
                    configuration: try address.configuration(), id: ConnectionIDs.next(), logger: logger)
            } catch let error where PostgresErrors.isConnectionLoss(error) && attempt + 1 < policy.attempts {
                attempt += 1
                try await Task.sleep(for: policy.delay(beforeAttempt: attempt))
            } catch {
                throw PostgresErrors.outOfAttempts(
                    error, attempts: attempt + 1, since: started, location: address.description)
            }
        }
    }

    /// Closes the pool's connections.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// The store's clock: now, in whole milliseconds.
    static func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// How a ``PostgresEventStore`` uses the server: its pool and its retries.
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// The most connections the pool opens (`?pool_size=` of the address; 4 by default). Concurrent calls
    /// beyond it wait for a connection.
    public var connections: Int
    /// Transactions aborted as serialization failures (40001) or deadlocks (40P01).
    public var retry: RetryPolicy
    /// Transactions whose connection was lost, and the first connection while the server refuses them:
    /// 8 attempts over about 4 to 7 s by default, long enough for a server's restart.
    public var reconnect: RetryPolicy

    public init(
        connections: Int = 4, retry: RetryPolicy = RetryPolicy(),
        reconnect: RetryPolicy = RetryPolicy(attempts: 8, baseDelay: .milliseconds(100), maximumDelay: .seconds(2))
    ) {
        self.connections = max(1, connections)
        self.retry = retry
        self.reconnect = reconnect
    }

    /// The defaults, with the pool size the address names.
    public init(address: PostgresLocation) {
        self.init(connections: address.poolSize ?? 4)
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
