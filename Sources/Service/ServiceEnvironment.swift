import EventStore
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Projections

/// Everything the routes share: the store, its queries, the writer, metrics, access control.
public final class ServiceEnvironment: Sendable {
    public let configuration: ServiceConfiguration
    public let store: SQLiteEventStore
    public let queries: EnrollmentQueries
    public let committer: GroupCommitter
    public let metrics: ServiceMetrics
    public let access: AccessControl
    public let logger: Logger
    private let stopping = NIOLockedValueBox(false)

    /// - Parameter store: a store opened for writing, with every projection (its queries answer the reads).
    public init(store: SQLiteEventStore, configuration: ServiceConfiguration, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.queries = EnrollmentQueries(store: store, stalledAfterSeconds: configuration.stalledAfterSeconds)
        self.metrics = ServiceMetrics()
        self.committer = GroupCommitter(store: store, configuration: configuration, metrics: metrics, logger: logger)
        self.access = AccessControl(tokens: configuration.tokens, webhookHMACKey: configuration.webhookHMACKey)
        self.logger = logger
    }

    /// Whether a graceful shutdown has begun: `/readyz` says so and event streams end.
    public var isStopping: Bool { stopping.withLockedValue { $0 } }

    func markStopping() { stopping.withLockedValue { $0 = true } }

    /// Runs a blocking read of the store on NIO's thread pool, off the tasks that serve connections.
    public func read<T: Sendable>(_ body: @escaping @Sendable (EnrollmentQueries) throws -> T) async throws -> T {
        let queries = self.queries
        return try await NIOThreadPool.singleton.runIfActive { try body(queries) }
    }
}
