import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections

/// In-process query latencies on an existing store (what `EnrollmentQueries` costs, without process start).
enum QueryMeasurements {
    /// Attempt stream ids spread over the store, for `show` and `timeline`.
    static func sampleIDs(store path: String, count: Int) throws -> [String] {
        let store = try Measurements.openReadOnly(path)
        return try store.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM streams WHERE name LIKE 'UE-%'") ?? 0
            let step = max(1, total / max(1, count))
            return try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM (SELECT name, row_number() OVER (ORDER BY id) AS n FROM streams
                    WHERE name LIKE 'UE-%') WHERE n % ? = 0 LIMIT ?
                    """, arguments: [step, count])
        }
    }

    /// Each query `iterations` times (at most ~5 s of each): p50 and p99 in milliseconds. The baseline is a
    /// point read of one event by id (`store.event(id:)`).
    static func run(store path: String, ids: [String], iterations: Int) throws {
        let store = try Measurements.openReadOnly(path)
        let queries = EnrollmentQueries(store: store)
        let eventIDs: [UUID] = try store.read { db in
            try Data.fetchAll(db, sql: "SELECT event_id FROM events WHERE position % 997 = 0 LIMIT 200").map {
                $0.withUnsafeBytes { raw in UUID(uuid: raw.loadUnaligned(as: uuid_t.self)) }
            }
        }
        var results: [String: Double] = [:]
        func measure(_ name: String, _ body: (Int) throws -> Void) rethrows {
            var latencies: [Double] = []
            let deadline = DispatchTime.now().uptimeNanoseconds + 5_000_000_000
            for index in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                try body(index)
                let end = DispatchTime.now().uptimeNanoseconds
                latencies.append(Double(end - start) / 1e6)
                if end > deadline && latencies.count >= 3 { break }
            }
            results["\(name)_p50_ms"] = Stats.percentile(latencies, 50)
            results["\(name)_p99_ms"] = Stats.percentile(latencies, 99)
            results["\(name)_runs"] = Double(latencies.count)
        }
        try measure("lookup") { _ = try store.event(id: eventIDs[$0 % eventIDs.count]) }
        try measure("show") { _ = try queries.enrollments(matching: ids[$0 % ids.count]) }
        try measure("timeline") { _ = try queries.timeline(for: ids[$0 % ids.count]) }
        try measure("devices") { _ in _ = try queries.devices(DeviceFilter(state: .failed, limit: 50)) }
        try measure("stats") { _ in _ = try queries.stats(StatsQuery()) }
        results["peak_rss_mib"] = Measurements.peakRSSMiB()
        Measurements.report(results)
    }
}
