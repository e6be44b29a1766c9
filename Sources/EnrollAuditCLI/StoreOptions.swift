import ArgumentParser
import EventStore
import Foundation
import Logging
import Projections

/// The options every command that touches a store shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store file. The default is $ENROLL_AUDIT_STORE, else ./enroll-audit.sqlite.", valueName: "path"))
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

    /// Opens the store for writing, creating it when missing. An existing file that is not a store (another
    /// SQLite database, anything else) is refused with "corrupt" and left as it was, never migrated into one
    /// (the store checks it, under the lock that serialises concurrent first writers).
    ///
    /// - Parameter configure: adjusts the configuration (page caches) before the store opens.
    func openForWriting(
        durability: StoreConfiguration.Durability = .full, configure: (inout StoreConfiguration) -> Void = { _ in }
    ) throws -> SQLiteEventStore {
        var configuration = StoreConfiguration()
        configure(&configuration)
        configuration.durability = durability
        configuration.projections = ProjectionSet.all
        return try SQLiteEventStore.opening(path: path, configuration: configuration, logger: Self.logger)
    }

    /// Opens an existing store read-only: a missing file is "not found", and nothing is created.
    func openForReading() throws -> SQLiteEventStore {
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        configuration.projections = ProjectionSet.all
        return try SQLiteEventStore.opening(path: path, configuration: configuration, logger: Self.logger)
    }

    /// Opens an existing store for writing: a missing file is "not found", never created.
    func openExistingForWriting() throws -> SQLiteEventStore {
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
