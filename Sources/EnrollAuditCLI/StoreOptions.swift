import ArgumentParser
import EventStore
import Foundation
import Logging
import PostgresStore
import Projections

/// The options every command that touches a store shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: a file, or postgres://USER@HOST/DATABASE (docs/postgres.md). The default is "
                + "$ENROLL_AUDIT_STORE, else ./enroll-audit.sqlite.", valueName: "path"))
    var store: String?

    /// The library's log: warnings and errors only, on stderr (the default handler).
    static let logger: Logger = {
        var logger = Logger(label: "enroll-audit")
        logger.logLevel =
            ProcessInfo.processInfo.environment["ENROLL_AUDIT_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? .warning
        return logger
    }()

    /// The store path after defaults.
    var path: String {
        store ?? ProcessInfo.processInfo.environment["ENROLL_AUDIT_STORE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "enroll-audit.sqlite"
    }

    /// The options naming `store` (an argument of its own, as `copy --from` and `--to` are).
    static func at(_ store: String) -> StoreOptions {
        var options = StoreOptions()
        options.store = store
        return options
    }

    /// How a command uses the log through ``withLog(_:_:)``.
    enum LogAccess {
        /// Read only: a missing store is "not found".
        case read
        /// Write to an existing store: a missing one is "not found", never created.
        case existing
        /// Write, creating (SQLite) or migrating (PostgreSQL) the store when needed.
        case create
    }

    /// The PostgreSQL address, when the store is one.
    var postgresAddress: PostgresLocation? {
        get throws { PostgresLocation.isAddress(path) ? try PostgresLocation(path) : nil }
    }

    /// Runs `body` with the log, on either backend, from the synchronous command (``BlockingRun``), and
    /// closes it after. This is the one way the log-only commands (append, verify, export, checkpoint, tail, copy)
    /// reach a store, so they work on `postgres://` addresses as on files.
    func withLog<T: Sendable>(_ access: LogAccess, _ body: @escaping @Sendable (any EventLog) async throws -> T)
        throws -> T
    {
        let pending = try pendingLog(access)
        return try BlockingRun.value { try await pending.using(body) }
    }

    /// The log for `access`: a SQLite store is opened now (its open blocks, on this thread); a PostgreSQL
    /// one is connected to inside the task that uses it.
    func pendingLog(_ access: LogAccess) throws -> PendingLog {
        if let address = try postgresAddress {
            return .postgres(address, migrate: access == .create, logger: Self.logger)
        }
        switch access {
        case .read: return .ready(try openForReading().log)
        case .existing: return .ready(try openExistingForWriting().log)
        case .create: return .ready(try openForWriting().log)
        }
    }

    /// A log about to be used: open, or an address to connect to.
    enum PendingLog: Sendable {
        case ready(any EventLog)
        case postgres(PostgresLocation, migrate: Bool, logger: Logger)

        /// Runs `body` with the log (connecting first), and closes a connection it made.
        func using<T: Sendable>(_ body: (any EventLog) async throws -> T) async throws -> T {
            switch self {
            case .ready(let log):
                return try await body(log)
            case .postgres(let address, let migrate, let logger):
                return try await StoreOptions.connected(address, migrate: migrate, logger: logger, body)
            }
        }
    }

    /// Runs `body` with the PostgreSQL store at `address` (connecting first), and closes it after.
    static func connected<T: Sendable>(
        _ address: PostgresLocation, migrate: Bool, logger: Logger = StoreOptions.logger,
        _ body: (PostgresEventStore) async throws -> T
    ) async throws -> T {
        let store = try await PostgresEventStore.open(address, migrate: migrate, logger: logger)
        do {
            let value = try await body(store)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }

    /// ``connected(_:migrate:logger:_:)`` from the synchronous command (``BlockingRun``).
    static func withPostgres<T: Sendable>(
        _ address: PostgresLocation, migrate: Bool, _ body: @escaping @Sendable (PostgresEventStore) async throws -> T
    ) throws -> T {
        try BlockingRun.value { try await connected(address, migrate: migrate, body) }
    }

    /// Runs `body` with the store's read models, on either backend (``EnrollmentReadModel``), from the
    /// synchronous command (``BlockingRun``): the one way the query commands (devices, show, timeline, stats)
    /// reach a store. A PostgreSQL store is read as it is, never migrated (a hot standby serves it).
    func withReadModel<T: Sendable>(
        stalledAfterSeconds: Double = 3600, _ body: @escaping @Sendable (any EnrollmentReadModel) async throws -> T
    ) throws -> T {
        if let address = try postgresAddress {
            return try Self.withPostgres(address, migrate: false) { store in
                try await body(PostgresEnrollmentQueries(store: store, stalledAfterSeconds: stalledAfterSeconds))
            }
        }
        let queries = try openQueries(stalledAfterSeconds: stalledAfterSeconds)
        return try BlockingRun.value { try await body(queries) }
    }

    /// Refuses a PostgreSQL address for what needs the SQLite store itself: only `serve` now.
    func requireSQLite() throws {
        guard PostgresLocation.isAddress(path) else { return }
        throw CLIFailure(
            .usage,
            "error: this needs a SQLite store file, not a PostgreSQL address; docs/postgres.md says how each "
                + "command runs on PostgreSQL")
    }

    /// Opens the store for writing, creating it when missing. An existing file that is not a store (another
    /// SQLite database, anything else) is refused with "corrupt" and left as it was, never migrated into one
    /// (the store checks it, under the lock that serialises concurrent first writers).
    ///
    /// - Parameter configure: adjusts the configuration (page caches) before the store opens.
    func openForWriting(
        durability: StoreConfiguration.Durability = .full, configure: (inout StoreConfiguration) -> Void = { _ in }
    ) throws -> SQLiteEventStore {
        try requireSQLite()
        var configuration = StoreConfiguration()
        configure(&configuration)
        configuration.durability = durability
        configuration.projections = ProjectionSet.all
        return try SQLiteEventStore.opening(path: path, configuration: configuration, logger: Self.logger)
    }

    /// Opens an existing store read-only: a missing file is "not found", and nothing is created.
    func openForReading() throws -> SQLiteEventStore {
        try requireSQLite()
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        configuration.projections = ProjectionSet.all
        return try SQLiteEventStore.opening(path: path, configuration: configuration, logger: Self.logger)
    }

    /// Opens an existing store for writing: a missing file is "not found", never created.
    func openExistingForWriting() throws -> SQLiteEventStore {
        try requireSQLite()
        guard try SQLiteEventStore.fileExists(at: path) else {
            throw EventStoreError(.storeNotFound, "no store at this path", path: path)
        }
        return try openForWriting()
    }

    /// Opens an existing store for queries. When its projections are behind (a store written by an older
    /// version, or before projections existed), it is opened for writing once to bring them up to date.
    func openQueries(stalledAfterSeconds: Double = 3600) throws -> EnrollmentQueries {
        let store: SQLiteEventStore
        do {
            store = try openForReading()
        } catch let error as EventStoreError where error.code == .schemaTooOld {
            return EnrollmentQueries(store: try openExistingForWriting(), stalledAfterSeconds: stalledAfterSeconds)
        }
        if try !store.staleProjections().isEmpty {
            return EnrollmentQueries(store: try openExistingForWriting(), stalledAfterSeconds: stalledAfterSeconds)
        }
        return EnrollmentQueries(store: store, stalledAfterSeconds: stalledAfterSeconds)
    }
}
