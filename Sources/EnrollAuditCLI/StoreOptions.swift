import ArgumentParser
import EventStore
import Foundation
import Projections

/// The options every command that touches a store shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store file. The default is $ENROLL_AUDIT_STORE, else ./enroll-audit.sqlite.", valueName: "path"))
    var store: String?

    /// The store path after defaults.
    var path: String {
        store ?? ProcessInfo.processInfo.environment["ENROLL_AUDIT_STORE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "enroll-audit.sqlite"
    }

    /// Opens the store for writing, creating it when missing.
    func openForWriting(durability: StoreConfiguration.Durability = .full) throws -> SQLiteEventStore {
        var configuration = StoreConfiguration()
        configuration.durability = durability
        configuration.projections = ProjectionSet.all
        return try SQLiteEventStore(path: path, configuration: configuration)
    }

    /// Opens an existing store read-only: a missing file is "not found", and nothing is created.
    func openForReading() throws -> SQLiteEventStore {
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        configuration.projections = ProjectionSet.all
        return try SQLiteEventStore(path: path, configuration: configuration)
    }
}
