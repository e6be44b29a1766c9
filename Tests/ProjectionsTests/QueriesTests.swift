import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport
import Testing

struct QueriesTests {
    @Test func fleetStatsAddUpAndTheFunnelNarrows() throws {
        let stats = try SampleStore.queries.stats(StatsQuery(byDay: true))
        let total = stats.total
        #expect(total.states.map(\.count).reduce(0, +) == total.enrollments)
        #expect(total.funnel.map(\.count) == total.funnel.map(\.count).sorted(by: >))
        #expect(total.funnel[0].step == .discovery)
        #expect(total.failures.contains { $0.reason == "DeviceCapReached" && $0.count == 1 })
        let enrolled = total.states.first { $0.state == .enrolled }!.count
        #expect(total.timeToEnroll.map { $0.count >= enrolled && $0.p50 <= $0.p90 && $0.p90 <= $0.p99 } == true)
        #expect(stats.days.map(\.summary.enrollments).reduce(0, +) == total.enrollments)
        #expect(stats.days.map(\.day) == stats.days.map(\.day).sorted())
        #expect(stats.days.first?.day == "2026-10-01")
    }

    @Test func statsAndListsFilterByTimeRange() throws {
        let since = Timestamp(iso8601: "2026-10-02")!
        let until = Timestamp(iso8601: "2026-10-03")!
        let stats = try SampleStore.queries.stats(StatsQuery(since: since, until: until))
        let listed = try SampleStore.queries.devices(DeviceFilter(since: since, until: until))
        #expect(stats.total.enrollments == listed.count)
        #expect(listed.allSatisfy { $0.firstSeen >= since && $0.firstSeen < until })
        #expect(!listed.isEmpty)
    }

    @Test func listingByStateWithALimitUsesAnIndex() throws {
        let failed = try SampleStore.queries.devices(DeviceFilter(state: .failed, limit: 3))
        #expect(failed.count == 3)
        #expect(failed.allSatisfy { $0.state == .failed })
        #expect(failed.map(\.firstSeen) == failed.map(\.firstSeen).sorted(by: >))
        let plan = try SampleStore.shared.store.read { db in
            try Row.fetchAll(
                db,
                sql: "EXPLAIN QUERY PLAN SELECT * FROM device_status WHERE state = ? "
                    + "ORDER BY first_seen DESC, enrollment DESC LIMIT 3", arguments: ["failed"]
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("device_status_state") })
    }

    @Test func unknownIDsFindNothing() throws {
        #expect(try SampleStore.queries.enrollments(matching: "nobody@nowhere.test").isEmpty)
        #expect(try SampleStore.queries.timeline(for: "UE-000000000000").isEmpty)
    }

    @Test func anEntraUserIDFindsTheUsersEnrollments() throws {
        let byUPN = try SampleStore.enrollments(of: "eva.silva@contoso.com")
        let byEntra = try SampleStore.queries.enrollments(matching: "2ee81b1a-125b-4747-b6ef-a1d08852a706")
        #expect(byUPN.map(\.enrollment) == byEntra.map(\.enrollment))
    }

    @Test func theTimelineIsInOccurredAtOrderWithGapsLabelsAndOutcomes() throws {
        let entries = try SampleStore.queries.timeline(for: "joe.haddad@contoso.com", asOf: SampleStore.asOf)
        #expect(entries.map(\.occurredAt) == entries.map(\.occurredAt).sorted())
        #expect(entries.first?.gapSeconds == nil)
        #expect(entries.dropFirst().allSatisfy { ($0.gapSeconds ?? -1) >= 0 })
        #expect(entries.contains { $0.type == "work_app.sign_in_blocked" && $0.outcome == .failed })
        #expect(entries.first?.label.hasPrefix("Service discovery succeeded") == true)
        #expect(entries.last?.hint != nil)
    }

    @Test func clockSkewAndStepsOutOfOrderAreHinted() throws {
        let projected = try ProjectedStore()
        let future = Timestamp.currentTimeForTests.milliseconds + 3_600_000
        try projected.store.append([
            EventFactory.event(
                stream: "UE-skew", type: "discovery.succeeded", at: future,
                data: ["domain": "contoso.com", "user_identifier": "joe@contoso.com"]),
            EventFactory.event(stream: "UE-skew", type: "remote_management.allowed", at: future + 60_000),
            EventFactory.event(stream: "UE-skew", type: "apple_id.signed_in", at: future + 30_000),
        ])
        let entries = try projected.queries.timeline(for: "UE-skew")
        #expect(entries.map(\.type) == ["discovery.succeeded", "apple_id.signed_in", "remote_management.allowed"])
        #expect(entries[0].hint?.id == "clock_skew")
        let hinted = try ProjectedStore()
        try hinted.store.append([
            EventFactory.event(stream: "UE-late", type: "remote_management.allowed", at: 1_790_000_060_000),
            EventFactory.event(stream: "UE-late", type: "apple_id.signed_in", at: 1_790_000_030_000),
        ])
        let late = try hinted.queries.timeline(for: "UE-late")
        #expect(late.map(\.hint?.id) == ["steps_out_of_order", nil])
    }
}

extension Timestamp {
    static var currentTimeForTests: Timestamp {
        Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }
}
