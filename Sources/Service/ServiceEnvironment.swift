import EventStore
import Logging
import NIOConcurrencyHelpers
import Projections

/// Everything the routes share: the log, its read models, the writer, metrics, access control. The routes
/// talk to the backend-neutral protocols only (``EventStore/EventLog``, ``Projections/EnrollmentReadModel``,
/// ``IngestWriter``); ``ServiceStore`` says which backend stands behind them.
public final class ServiceEnvironment: Sendable {
    public let configuration: ServiceConfiguration
    /// The log: event streams, export, proofs, the head.
    public let log: any EventLog
    /// The read models: the read API, the console, the fleet gauges of `/metrics`.
    public let readModel: any EnrollmentReadModel
    /// What stores ingest requests.
    public let committer: any IngestWriter
    public let metrics: ServiceMetrics
    public let access: AccessControl
    public let logger: Logger
    let replicationProbe: (@Sendable () async throws -> ReplicationStatus)?
    private let stopping = NIOLockedValueBox(false)
    private let standby = NIOLockedValueBox(false)

    /// - Parameter store: the backend (``ServiceStore/sqlite(_:stalledAfterSeconds:)`` or
    ///   ``ServiceStore/batching(log:readModel:replication:)``).
    public init(store: ServiceStore, configuration: ServiceConfiguration, logger: Logger) {
        self.configuration = configuration
        self.log = store.log
        self.readModel = store.readModel
        self.metrics = ServiceMetrics()
        self.committer = store.makeWriter(configuration, metrics, logger)
        self.replicationProbe = store.replication
        self.access = AccessControl(tokens: configuration.tokens, webhookHMACKey: configuration.webhookHMACKey)
        self.logger = logger
    }

    /// A SQLite store opened for writing, with every projection: the group committer writes it.
    public convenience init(store: SQLiteEventStore, configuration: ServiceConfiguration, logger: Logger) {
        self.init(
            store: .sqlite(store, stalledAfterSeconds: configuration.stalledAfterSeconds),
            configuration: configuration, logger: logger)
    }

    /// Whether a graceful shutdown has begun: `/readyz` says so and event streams end.
    public var isStopping: Bool { stopping.withLockedValue { $0 } }

    func markStopping() { stopping.withLockedValue { $0 = true } }

    /// Whether the store was last seen to be a read-only standby (at start, by `/readyz`, or by an append
    /// it refused): ingest requests are then refused before their bodies are read.
    public var isStandby: Bool { standby.withLockedValue { $0 } }

    /// Where the store stands in replication now, remembered for ``isStandby``; `nil` for a store that does
    /// not replicate (SQLite).
    public func replicaStatus() async throws -> ReplicationStatus? {
        guard let replicationProbe else { return nil }
        let status = try await replicationProbe()
        standby.withLockedValue { $0 = status.isStandby }
        return status
    }

    func markStandby() { standby.withLockedValue { $0 = true } }
}

/// The backend a ``ServiceEnvironment`` serves: its log, its read models, how it writes, and how it reports
/// replication.
public struct ServiceStore: Sendable {
    public var log: any EventLog
    public var readModel: any EnrollmentReadModel
    /// The writer, given the configuration, the metrics it reports commits to, and the log.
    public var makeWriter: @Sendable (ServiceConfiguration, ServiceMetrics, Logger) -> any IngestWriter
    /// Where the server stands in replication (`nil`: the store does not replicate).
    public var replication: (@Sendable () async throws -> ReplicationStatus)?

    public init(
        log: any EventLog, readModel: any EnrollmentReadModel,
        makeWriter: @escaping @Sendable (ServiceConfiguration, ServiceMetrics, Logger) -> any IngestWriter,
        replication: (@Sendable () async throws -> ReplicationStatus)? = nil
    ) {
        self.log = log
        self.readModel = readModel
        self.makeWriter = makeWriter
        self.replication = replication
    }

    /// A SQLite store opened for writing, with every projection: ingest through the ``GroupCommitter``
    /// (many requests per transaction, one fsync before the answers), reads on NIO's thread pool.
    public static func sqlite(_ store: SQLiteEventStore, stalledAfterSeconds: Double) -> ServiceStore {
        let queries = EnrollmentQueries(store: store, stalledAfterSeconds: stalledAfterSeconds)
        return ServiceStore(log: store.log, readModel: ThreadPoolReadModel(queries: queries)) {
            configuration, metrics, logger in
            GroupCommitter(store: store, configuration: configuration, metrics: metrics, logger: logger)
        }
    }

    /// A log that serialises concurrent appends itself (PostgreSQL): the requests that queue while an
    /// append runs share the next one (``BatchingAppender``).
    public static func batching(
        log: any EventLog, readModel: any EnrollmentReadModel,
        replication: (@Sendable () async throws -> ReplicationStatus)?
    ) -> ServiceStore {
        ServiceStore(
            log: log, readModel: readModel,
            makeWriter: { configuration, metrics, logger in
                BatchingAppender(log: log, configuration: configuration, metrics: metrics, logger: logger)
            }, replication: replication)
    }
}
