import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport
import Testing

/// The per-day `fleet_stats` aggregate is what a recount of `device_status` gives, whatever wrote it:
/// a bulk ingest, a rebuild, incremental appends that change states, identity merges, even an UPDATE.
struct FleetStatsAggregateTests {
    /// The aggregate tables, as sorted lines.
    static func aggregate(_ store: SQLiteEventStore) throws -> [String] {
        try store.read { db in
            let counts = try Row.fetchAll(db, sql: "SELECT * FROM fleet_stats").map {
                "count \($0[0] as Int64) \($0[1] as String) \($0[2] as Int) \($0[3] as String) \($0[4] as String) "
                    + "\($0[5] as Int)"
            }
            let times = try Row.fetchAll(db, sql: "SELECT * FROM fleet_stats_time_to_enroll").map {
                "time \($0[0] as Int64) \($0[1] as Int64) \($0[2] as Int)"
            }
            return (counts + times).sorted()
        }
    }

    /// A straightforward recount of `device_status`, in the aggregate's lines.
    static func recount(_ store: SQLiteEventStore) throws -> [String] {
        var counts: [String: Int] = [:]
        for row in try StatsFleet.rows(store) {
            let failure = row.failureStep.map { "\($0) \(row.failureReason ?? "unknown")" } ?? " "
            counts["count \(row.day) \(row.state) \(row.stepIndex) \(failure)", default: 0] += 1
            if let time = row.timeToEnroll {
                counts["time \(row.day) \(StatsFleet.bucket(milliseconds: time))", default: 0] += 1
            }
        }
        return counts.map { "\($0.key) \($0.value)" }.sorted()
    }

    static func expectAggregateIsARecount(
        _ store: SQLiteEventStore, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let aggregate = Set(try aggregate(store))
        let recount = Set(try recount(store))
        #expect(
            aggregate.subtracting(recount).sorted() == [], "only in the aggregate; \(comment?.rawValue ?? "")",
            sourceLocation: sourceLocation)
        #expect(
            recount.subtracting(aggregate).sorted() == [], "only in the recount; \(comment?.rawValue ?? "")",
            sourceLocation: sourceLocation)
    }

    @Test func theAggregateIsARecountAfterIngestAndRebuild() throws {
        let projected = try ProjectedStore()
        try projected.store.append(
            try SampleSources.all() + SyntheticFleet.events(seed: 7) + StatsFleet.events(seed: 7))
        let lines = try Self.aggregate(projected.store)
        #expect(lines.filter { $0.hasPrefix("count ") }.count > 20)
        #expect(lines.filter { $0.hasPrefix("time ") }.count > 100)
        try Self.expectAggregateIsARecount(projected.store)
        try projected.store.rebuildProjections()
        #expect(try Self.aggregate(projected.store) == lines)
        try projected.store.rebuildProjections(named: ["device_status"])
        #expect(try Self.aggregate(projected.store) == lines)
    }

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func incrementalAppendsInAnyOrderKeepTheAggregateARecount(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let events = (try SampleSources.all() + SyntheticFleet.events(seed: seed) + StatsFleet.events(seed: seed))
            .shuffled(using: &random)
        let projected = try ProjectedStore(flushInterval: 7)
        var index = 0
        while index < events.count {
            let size = [1, 3, 17, 150].randomElement(using: &random)!
            try projected.store.append(Array(events[index..<min(index + size, events.count)]))
            index += size
            try Self.expectAggregateIsARecount(projected.store, "after \(index) events")
        }
        let reference = try ProjectedStore()
        try reference.store.append(events)
        #expect(try Self.aggregate(projected.store) == Self.aggregate(reference.store))
    }

    @Test func stateChangesMoveTheCounts() throws {
        let projected = try ProjectedStore()
        let user = "joe@contoso.com"
        let start: Int64 = 1_790_000_000_000
        func append(_ stream: String, _ type: String, _ offset: Int64, _ data: [String: JSONValue] = [:]) throws {
            try projected.store.append([
                EventFactory.event(stream: stream, type: type, at: start + offset, user: user, data: data)
            ])
        }
        func counted() throws -> [String] {
            try Self.expectAggregateIsARecount(projected.store)
            return try Self.aggregate(projected.store).map {
                $0.split(separator: " ", omittingEmptySubsequences: false).dropFirst(2).joined(separator: " ")
            }
        }
        try append("UE-a", "discovery.succeeded", 0, ["domain": "contoso.com", "user_identifier": .string(user)])
        try append("UE-a", "account.signed_in", 1_000, ["upn": .string(user)])
        #expect(try counted() == ["in_progress 1   1"])
        try append("UE-a", "profile.installed", 600_000)
        try append("UE-a", "authenticator.installed", 1_500_000, ["version": "6.8.17"])
        // 1,500 s: the bucket [1,488 s, 1,504 s) of the octave from 1,024 s.
        #expect(try counted() == ["enrolled 6   1", "1488 1"])
        try append("UE-a", "device.unenrolled", 2_000_000, ["by": "user"])
        #expect(try counted() == ["unenrolled 6   1", "1488 1"])
        try append("UE-b", "discovery.succeeded", 5_000, ["domain": "contoso.com", "user_identifier": .string(user)])
        try append("UE-b", "jit.failed", 7_000, ["reason": "trailing spaces"])
        #expect(try counted() == ["failed 0 jit_registration trailing spaces 1", "unenrolled 6   1", "1488 1"])
        try append("UE-b", "jit.registered", 8_000)
        #expect(try counted() == ["in_progress 5   1", "unenrolled 6   1", "1488 1"])
    }

    @Test func anIdentityMergeUncountsTheMergedRows() throws {
        let projected = try ProjectedStore()
        let start: Int64 = 1_790_000_000_000
        try projected.store.append([
            EventFactory.event(
                stream: "UE-m", type: "discovery.succeeded", at: start,
                data: ["domain": "contoso.com", "user_identifier": "joe@contoso.com"]),
            EventFactory.event(stream: "UE-m", type: "profile.installed", at: start + 30_000),
            EventFactory.event(
                stream: "E-m", type: "mdm.authenticated", at: start + 31_000, user: nil,
                data: ["enrollment_id": "E-m"]),
            EventFactory.event(
                stream: "E-m", type: "authenticator.installed", at: start + 90_000, user: nil,
                data: ["version": "6.8.17"]),
        ])
        func enrollments() throws -> Int {
            try projected.store.read { db in try Int.fetchOne(db, sql: "SELECT sum(enrollments) FROM fleet_stats") }
                ?? 0
        }
        #expect(try enrollments() == 2)
        try Self.expectAggregateIsARecount(projected.store)
        try projected.store.append([
            EventFactory.event(
                stream: "link-m", type: "identity.linked", at: start + 100_000,
                data: ["attempt_id": "UE-m", "enrollment_id": "E-m"])
        ])
        #expect(try enrollments() == 1)
        try Self.expectAggregateIsARecount(projected.store)
        #expect(try Self.aggregate(projected.store).contains { $0.hasPrefix("time ") && $0.hasSuffix(" 90 1") })
    }

    @Test func anUpdateOfDeviceStatusMovesTheCountsToo() throws {
        let projected = try ProjectedStore()
        try projected.store.append(StatsFleet.events(seed: 3, enrollments: 30))
        let writer = try DatabaseQueue(path: projected.directory.path("store.sqlite"))
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE device_status SET state = 'failed', failure_step = 'jit_registration', failure_reason = NULL,
                        first_seen = first_seen - 3 * 86400000, time_to_enroll_ms = time_to_enroll_ms * 7
                    WHERE substr(enrollment, -1) IN ('1', '4', '7') OR state = 'enrolled'
                    """)
            try db.execute(sql: "UPDATE device_status SET model = 'iPad' WHERE state = 'in_progress'")
        }
        #expect(try Self.aggregate(projected.store).contains { $0.contains(" jit_registration unknown ") })
        try Self.expectAggregateIsARecount(projected.store)
    }
}
