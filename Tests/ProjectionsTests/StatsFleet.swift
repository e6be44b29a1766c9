import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport

/// A seeded fleet spread over two weeks at uneven hours, with times to enroll from under a second to
/// days (both sides of the 1,024 s edge of ``TimeToEnrollBuckets``), failures and unfinished attempts;
/// and a straightforward recount of `device_status` to check `stats` and its aggregate against.
enum StatsFleet {
    /// 2026-10-01T00:00:00Z.
    static let start: Int64 = 1_790_812_800_000

    static func events(seed: UInt64, enrollments: Int = 240) -> [NewEvent] {
        // Another stream of ids than SyntheticFleet's for the same seed: the two fleets are often mixed.
        var random = SeededGenerator(seed: seed ^ 0x5354_4154_5300_0000)
        var events: [NewEvent] = []
        for k in 0..<enrollments {
            let stream = "STATS-\(seed)-\(k)"
            let user = "fleet\(k)@stats.test"
            let base = start + Int64(k) * 5_077_123 + Int64.random(in: 0..<3_600_000, using: &random)
            func add(_ type: String, _ offset: Int64, _ data: [String: JSONValue] = [:]) {
                events.append(
                    NewEvent(
                        eventID: UUID(hexString: random.uuid())!, stream: stream, type: type,
                        occurredAt: Timestamp(milliseconds: base + offset), source: "stats-test", user: user,
                        data: data))
            }
            add("discovery.succeeded", 0, ["domain": "stats.test", "user_identifier": .string(user)])
            // Log-uniform from ~0.3 s to ~3.5 days.
            let timeToEnroll = Int64(pow(2, Double.random(in: 8...28, using: &random)))
            switch k % 6 {
            case 0:
                add("jit.failed", timeToEnroll / 2, ["reason": .string("reason \(k % 4)")])
            case 1:
                add("account.signed_in", timeToEnroll / 3, ["upn": .string(user)])
            default:
                add("profile.installed", timeToEnroll / 2)
                add("authenticator.installed", timeToEnroll, ["version": "6.8.17"])
                if k % 6 == 5 { add("device.unenrolled", timeToEnroll + 60_000, ["by": "user"]) }
            }
        }
        return events
    }

    /// The columns of `device_status` that `stats` counts.
    struct Row: Sendable {
        var firstSeen: Int64
        var state: String
        var stepIndex: Int
        var failureStep: String?
        var failureReason: String?
        var timeToEnroll: Int64?

        var day: Int64 { Int64((Double(firstSeen) / 86_400_000).rounded(.down)) }
    }

    static func rows(_ store: SQLiteEventStore) throws -> [Row] {
        try store.read { db in
            try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms
                    FROM device_status
                    """
            ).map {
                Row(
                    firstSeen: $0[0], state: $0[1], stepIndex: $0[2], failureStep: $0[3], failureReason: $0[4],
                    timeToEnroll: $0[5])
            }
        }
    }

    /// The bucket of a time to enroll as docs/projections.md describes it: whole seconds below 1,024 s,
    /// then 64 buckets per power of two, named by their lower bound in seconds.
    static func bucket(milliseconds: Int64) -> Int64 {
        let seconds = milliseconds / 1000
        guard seconds >= 1024 else { return seconds }
        var octave: Int64 = 1024
        while octave * 2 <= seconds { octave *= 2 }
        let width = octave / 64
        return seconds / width * width
    }

    /// The exact nearest-rank percentile, in seconds.
    static func nearestRank(_ percent: Double, of sorted: [Int64]) -> Double {
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[max(1, min(rank, sorted.count)) - 1]) / 1000
    }
}
