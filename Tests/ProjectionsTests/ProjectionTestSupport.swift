import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport
import Testing

/// A fresh store with the tool's projections in a temporary directory.
struct ProjectedStore {
    let directory = TemporaryDirectory()
    let store: SQLiteEventStore

    init(flushInterval: Int64 = 10_000) throws {
        var configuration = StoreConfiguration()
        configuration.durability = .normal
        configuration.projections = [IdentityProjection(), DeviceStatusProjection(flushInterval: flushInterval)]
        store = try SQLiteEventStore(path: directory.path("store.sqlite"), configuration: configuration)
    }

    var queries: EnrollmentQueries { EnrollmentQueries(store: store) }

    /// Every projection table as text, rows sorted: equal dumps mean equal projections (``ProjectionDump``,
    /// the same lines a PostgreSQL store's tables give).
    func dump() throws -> String {
        try store.read { try ProjectionDump.sqlite($0) }.joined(separator: "\n")
    }
}

/// The sample fleet, ingested once for the scenario tests (read-only afterwards).
enum SampleStore {
    static let shared: ProjectedStore = {
        let projected = try! ProjectedStore()
        try! projected.store.append(try! SampleSources.all())
        return projected
    }()

    /// After every sample event: stalled judgements are made as of this time.
    static let asOf = Timestamp(iso8601: "2027-01-15T00:00:00Z")!

    static var queries: EnrollmentQueries { shared.queries }

    /// The enrollments of a user.
    static func enrollments(of user: String) throws -> [DeviceStatus] {
        try queries.enrollments(matching: user, asOf: asOf)
    }
}

/// The backends the read-model tests run on: SQLite always, PostgreSQL when the machine has it (a
/// throwaway cluster); without it that half is skipped, unless `ENROLL_AUDIT_REQUIRE_POSTGRES=1` (CI).
enum ProjectionBackend: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [ProjectionBackend] {
        PostgresCluster.shared != nil || PostgresCluster.isRequired ? [.sqlite, .postgres] : [.sqlite]
    }
}
