import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

@testable import Projections

/// `stats` read from the per-day aggregate (and partial days from `device_status`) gives the counts of a
/// straightforward recount exactly, and percentiles within the error docs/projections.md states.
struct FleetStatsQueryTests {
    static let fleet: ProjectedStore = {
        let projected = try! ProjectedStore()
        try! projected.store.append(try! SampleSources.all() + StatsFleet.events(seed: 11))
        return projected
    }()

    static let day: Int64 = 86_400_000
    static let start = StatsFleet.start

    /// Ranges with bounds on and between day boundaries, within one day, one-sided, empty.
    static let ranges: [(since: Int64?, until: Int64?)] = [
        (nil, nil), (start + 3 * day, start + 9 * day), (start + 3 * day + 4_321_987, start + 9 * day + 61_000_017),
        (start + 5 * day + 1_000, start + 5 * day + 40_000_000), (start + 2 * day + 7, nil), (nil, start + 6 * day - 1),
        (start + 4 * day + 1, start + 4 * day + 1), (start + 6 * day, start + 2 * day), (start - 400 * day, start),
    ]

    /// What a dashboard expects of `rows`: counts exactly, percentiles within the buckets' error.
    static func expect(
        _ summary: FleetSummary, matches rows: [StatsFleet.Row], _ comment: Comment,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(summary.enrollments == rows.count, comment, sourceLocation: sourceLocation)
        for entry in summary.states {
            let expected = rows.filter { $0.state == entry.state.rawValue }.count
            #expect(entry.count == expected, "\(comment) \(entry.state)", sourceLocation: sourceLocation)
        }
        for entry in summary.funnel {
            let expected = rows.filter { $0.stepIndex >= entry.step.index }.count
            #expect(entry.count == expected, "\(comment) \(entry.step)", sourceLocation: sourceLocation)
        }
        var failures: [String: Int] = [:]
        for row in rows where row.state == "failed" {
            if let step = row.failureStep { failures["\(step) \(row.failureReason ?? "unknown")", default: 0] += 1 }
        }
        let reported = Dictionary(
            uniqueKeysWithValues: summary.failures.map { ("\($0.step.rawValue) \($0.reason)", $0.count) })
        #expect(reported == failures, comment, sourceLocation: sourceLocation)
        let times = rows.compactMap(\.timeToEnroll).sorted()
        #expect(
            summary.timeToEnroll?.count == (times.isEmpty ? nil : times.count), comment, sourceLocation: sourceLocation)
        guard let percentiles = summary.timeToEnroll else { return }
        for (percent, value) in [(50.0, percentiles.p50), (90, percentiles.p90), (99, percentiles.p99)] {
            let exact = StatsFleet.nearestRank(percent, of: times)
            if exact < 1024 {
                #expect(value == exact.rounded(.down), "\(comment) p\(percent)", sourceLocation: sourceLocation)
            } else {
                #expect(abs(value - exact) <= exact / 128, "\(comment) p\(percent)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: 0..<ranges.count)
    func countsAreExactAndPercentilesWithinTheStatedError(range index: Int) throws {
        let (since, until) = Self.ranges[index]
        let stats = try Self.fleet.queries.stats(
            StatsQuery(
                since: since.map(Timestamp.init(milliseconds:)), until: until.map(Timestamp.init(milliseconds:)),
                byDay: true))
        let rows = try StatsFleet.rows(Self.fleet.store).filter {
            $0.firstSeen >= since ?? .min && $0.firstSeen < until ?? .max
        }
        Self.expect(stats.total, matches: rows, "range \(index)")
        let days = Dictionary(grouping: rows, by: \.day)
        #expect(
            stats.days.map(\.day)
                == days.keys.sorted().map { String(Timestamp(milliseconds: $0 * Self.day).iso8601.prefix(10)) })
        for (day, summary) in zip(days.keys.sorted(), stats.days) {
            Self.expect(summary.summary, matches: days[day]!, "range \(index) day \(summary.day)")
        }
        let totalOnly = try Self.fleet.queries.stats(
            StatsQuery(since: since.map(Timestamp.init(milliseconds:)), until: until.map(Timestamp.init(milliseconds:)))
        )
        #expect(totalOnly.total == stats.total)
        #expect(totalOnly.days.isEmpty)
    }

    @Test func theFleetCrossesTheEdgeOfExactSeconds() throws {
        let times = try StatsFleet.rows(Self.fleet.store).compactMap(\.timeToEnroll)
        #expect(times.filter { $0 < 1_024_000 }.count > 20)
        #expect(times.filter { $0 >= 1_024_000 }.count > 20)
    }

    @Test func wholeDaysAreReadFromTheAggregateNotFromDeviceStatus() throws {
        let projected = try ProjectedStore()
        try projected.store.append(StatsFleet.events(seed: 5, enrollments: 60))
        let whole = StatsQuery(
            since: Timestamp(milliseconds: Self.start + Self.day),
            until: Timestamp(milliseconds: Self.start + 3 * Self.day))
        let before = (try projected.queries.stats(), try projected.queries.stats(whole))
        #expect(before.1.total.enrollments > 0)
        // Empty device_status behind the writer's back: only what reads device_status changes.
        let writer = try DatabaseQueue(path: projected.directory.path("store.sqlite"))
        try writer.write { db in
            try db.execute(sql: "DELETE FROM device_status")
        }
        #expect(try projected.queries.stats() == before.0)
        #expect(try projected.queries.stats(whole) == before.1)
        let partial = StatsQuery(since: Timestamp(milliseconds: Self.start + Self.day + 1), until: whole.until)
        #expect(try projected.queries.stats(partial).total.enrollments < before.1.total.enrollments)
    }

    /// A range and how it should split: whole days, and how many partial days.
    struct Split: Sendable {
        var since: Int64?
        var until: Int64?
        var wholeDays: Range<Int64>
        var partialDays: Int
    }

    static let splits: [Split] = [
        Split(since: 0, until: 3 * day, wholeDays: 0..<3, partialDays: 0),
        Split(since: 1, until: 3 * day + 1, wholeDays: 1..<3, partialDays: 2),
        Split(since: -1, until: day - 1, wholeDays: 0..<0, partialDays: 1),
        Split(since: -day - 1, until: day, wholeDays: -1..<1, partialDays: 1),
        Split(since: 5, until: 5, wholeDays: 0..<0, partialDays: 0),
        Split(since: 9, until: 5, wholeDays: 0..<0, partialDays: 0),
        Split(since: nil, until: nil, wholeDays: 0..<0, partialDays: 0),
        Split(since: day / 2, until: nil, wholeDays: 0..<0, partialDays: 1),
    ]

    @Test(arguments: splits)
    func aRangeSplitsIntoWholeDaysAndAtMostTwoPartialDays(_ expected: Split) {
        let split = FleetStatsRange(since: expected.since, until: expected.until)
        #expect(split.partialDays.count == expected.partialDays)
        guard let since = expected.since, let until = expected.until else {
            // Unbounded on a side: whole days reach far beyond any real time on that side.
            #expect(split.wholeDays.lowerBound < -1_000_000 || expected.since != nil)
            #expect(split.wholeDays.upperBound > 1_000_000)
            return
        }
        #expect(split.wholeDays == expected.wholeDays)
        // Whole days and partial days cover [since, until) exactly once.
        let day = FleetStatsRange.dayMilliseconds
        var parts = split.partialDays
        if !split.wholeDays.isEmpty {
            parts.append(split.wholeDays.lowerBound * day..<split.wholeDays.upperBound * day)
        }
        parts.sort { $0.lowerBound < $1.lowerBound }
        var covered: [Range<Int64>] = []
        for part in parts {
            if let last = covered.last, last.upperBound == part.lowerBound {
                covered[covered.count - 1] = last.lowerBound..<part.upperBound
            } else {
                covered.append(part)
            }
        }
        #expect(covered == (since < until ? [since..<until] : []))
    }
}
