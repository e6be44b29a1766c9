import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport

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

    /// Every projection table as text, rows sorted: equal dumps mean equal projections.
    func dump() throws -> String {
        try store.read { db in
            var lines: [String] = []
            for table in [
                "identity_nodes", "identity_sets", "identity_user_ids", "identity_userless", "device_status",
                "fleet_stats", "fleet_stats_time_to_enroll",
            ] {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") {
                    lines.append("\(table) \(row.description)")
                }
            }
            return lines.sorted().joined(separator: "\n")
        }
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
