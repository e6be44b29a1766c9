import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// The backends `serve` runs on in the tests that run both: a SQLite file, and a PostgreSQL database of a
/// throwaway cluster (`PostgresCluster`) served through the writer role. Without PostgreSQL the second is
/// skipped with a message on stderr, unless `ENROLL_AUDIT_REQUIRE_POSTGRES=1` (CI), where it runs and fails.
enum ServeBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [ServeBackend] {
        PostgresCluster.shared != nil || PostgresCluster.isRequired ? allCases : [.sqlite]
    }

    /// A new, empty store in `directory` (SQLite) or a database of its own (PostgreSQL: migrated by its
    /// owner, who grants the writer role `serve` uses).
    func makeStore(_ directory: TemporaryDirectory) async throws -> ServedStore {
        switch self {
        case .sqlite:
            return ServedStore(address: directory.path("served-\(UUID().uuidString).sqlite"), database: nil)
        case .postgres:
            let cluster = try #require(
                PostgresCluster.shared, "PostgreSQL is required here: \(PostgresCluster.unavailableReason ?? "")")
            return try await ServedStore.postgres(on: cluster)
        }
    }
}

/// A store a test serves: the address `serve --store` is given, and the log as the test reads it.
struct ServedStore: Sendable {
    let address: String
    let database: PostgresCluster.Database?

    /// A new database on `cluster`, migrated by its owner, who grants the writer role; served as the writer.
    static func postgres(on cluster: PostgresCluster) async throws -> ServedStore {
        let database = try cluster.makeDatabase()
        let owner = try await PostgresEventStore.open(try PostgresLocation(database.address()))
        try await owner.grantWriter(role: database.writer)
        await owner.close()
        return ServedStore(address: database.address(user: database.writer), database: database)
    }

    /// Runs `body` with the store's log, opened read-only beside the server, and closes it after.
    func withLog<T>(_ body: (any EventLog) async throws -> T) async throws -> T {
        guard database != nil else {
            var configuration = StoreConfiguration()
            configuration.readOnly = true
            return try await body(try SQLiteEventStore(path: address, configuration: configuration).log)
        }
        let store = try await PostgresEventStore.open(try PostgresLocation(address), migrate: false)
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(store)) } catch { outcome = .failure(error) }
        await store.close()
        return try outcome.get()
    }

    /// The log's last position.
    func head() async throws -> Int64 { try await withLog { try await $0.head().position } }
}

/// What the tests of both backends compare of an answer: the JSON without the members a store stamps
/// itself (`recorded_at`, the time of the append, and the chain `hash`, which covers it), at any depth.
enum StoreStamps {
    static func removed(from text: String) throws -> String {
        func strip(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members):
                return .object(
                    members.filter { $0.key != "recorded_at" && $0.key != "hash" }.mapValues(strip))
            case .array(let elements):
                return .array(elements.map(strip))
            default:
                return value
            }
        }
        return strip(try JSONParser.parse(text)).canonicalString
    }
}
