import EventStore
import Logging
import PostgresStore
import Service

extension EnrollAudit.Serve {
    /// The backend `serve` runs on: a SQLite file (created when missing) written by the group committer, or
    /// a PostgreSQL database (migrated when it lacks migrations and the role may) written by the batching appender,
    /// a hot standby among them. `close` closes what was opened, after the server stopped.
    func openServiceStore(_ configuration: ServiceConfiguration, logger: Logger) throws -> (
        store: ServiceStore, close: @Sendable () async -> Void
    ) {
        guard let address = try storeOptions.postgresAddress else {
            let cacheKiB = pageCacheMib * 1024
            let store = try storeOptions.openForWriting(durability: .full) {
                $0.writerPageCacheKiB = cacheKiB
                $0.pageCacheKiB = cacheKiB / 4
            }
            return (.sqlite(store, stalledAfterSeconds: configuration.stalledAfterSeconds), {})
        }
        let log = try BlockingRun.value { try await PostgresEventStore.open(address, migrate: true, logger: logger) }
        let queries = PostgresEnrollmentQueries(store: log, stalledAfterSeconds: configuration.stalledAfterSeconds)
        let store = ServiceStore.batching(log: log, readModel: queries) {
            try await log.replicationStatus()
        }
        return (store, { await log.close() })
    }
}
