import EnrollmentDomain
import EventStore
import Foundation
import PostgresNIO
import PostgresStore
import TestSupport
import Testing

/// The backends every contract test runs on: SQLite always, PostgreSQL when the machine has it (a throwaway
/// cluster, `PostgresCluster`); without it the PostgreSQL half is skipped with a message on stderr, unless
/// `ENROLL_AUDIT_REQUIRE_POSTGRES=1` (CI), where it runs and fails.
enum LogBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [LogBackend] {
        PostgresCluster.shared != nil || PostgresCluster.isRequired ? allCases : [.sqlite]
    }

    /// A new, empty log on this backend, as a service would use it (PostgreSQL: the writer role, after the
    /// owner migrated the database and granted it SELECT and INSERT).
    func makeLog() async throws -> TestLog {
        switch self {
        case .sqlite:
            let directory = TemporaryDirectory()
            let path = directory.path("store.sqlite")
            let store = try SQLiteEventStore(path: path)
            return TestLog(backend: self, log: store.log, keep: directory, sqlitePath: path, database: nil)
        case .postgres:
            let cluster = try #require(
                PostgresCluster.shared, "PostgreSQL is required here: \(PostgresCluster.unavailableReason ?? "")")
            let database = try cluster.makeDatabase()
            let owner = try await PostgresEventStore.open(try PostgresLocation(database.address()))
            try await owner.grantWriter(role: database.writer)
            await owner.close()
            let writer = try await PostgresEventStore.open(
                try PostgresLocation(database.address(user: database.writer)))
            return TestLog(backend: self, log: writer, keep: nil, sqlitePath: nil, database: database)
        }
    }
}

/// A log under test and what it lives in.
struct TestLog: Sendable {
    let backend: LogBackend
    let log: any EventLog
    /// Kept alive for the length of the test (a temporary directory).
    let keep: TemporaryDirectory?
    let sqlitePath: String?
    let database: PostgresCluster.Database?

    /// Another connection (PostgreSQL) or another store value (SQLite) on the same log: a second writer.
    func another() async throws -> any EventLog {
        if let sqlitePath { return try SQLiteEventStore(path: sqlitePath).log }
        let database = try #require(database)
        return try await PostgresEventStore.open(try PostgresLocation(database.address(user: database.writer)))
    }

    func close() async {
        if let store = log as? PostgresEventStore { await store.close() }
    }
}

/// Events for the contract tests.
enum ContractEvents {
    static func event(_ stream: String, _ index: Int, id: UUID = UUID(), user: String? = "joe@contoso.com")
        -> NewEvent
    {
        EventFactory.event(
            stream: stream, type: "app.installed", id: id, at: 1_790_000_000_000 + Int64(index) * 1000, user: user,
            data: ["bundle_id": .string("com.microsoft.Outlook"), "name": .string("Outlook \(index)")])
    }

    /// The native sample's events (718 lines, 702 distinct events: varied types, users, correlation ids).
    static func sample() throws -> [NewEvent] {
        try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) }
    }
}
