import EnrollmentDomain
import Projections

/// The fleet dashboard: the funnel, states per day, failures by reason and time-to-enroll percentiles
/// of the enrollments first seen in a range, from ``EnrollmentReadModel/stats(_:)``.
struct DashboardPage {
    var title = "Fleet dashboard"
    var signedIn: Bool
    var from, to: String?
    var enrollments: Int
    var stalled: Int
    var charts: [ChartView]

    /// The most days the per-day chart shows (the latest).
    static let dayLimit = 90
    /// The most failure reasons charted.
    static let reasonLimit = 15

    init(_ query: ConsoleQuery, queries: any EnrollmentReadModel, signedIn: Bool) async throws {
        self.signedIn = signedIn
        let since = try query.day("from")
        let until = try query.day("to", endOfDay: true)
        from = query.string("from").map(DisplayText.text)
        to = query.string("to").map(DisplayText.text)
        let stats = try await queries.stats(StatsQuery(since: since, until: until, byDay: true))
        stalled = try await queries.deviceCount(
            DeviceFilter(stalledFor: queries.stalledAfterSeconds, since: since, until: until))
        let total = stats.total
        enrollments = total.enrollments
        charts = [
            Self.funnel(total), Self.days(stats.days.suffix(Self.dayLimit)), Self.failures(total),
            Self.timeToEnroll(total),
        ]
    }

    static func funnel(_ total: FleetSummary) -> ChartView {
        let first = max(total.funnel.first?.count ?? 0, 1)
        return ChartView.bars(
            id: "funnel", title: "Funnel by step",
            desc: "How many of the \(total.enrollments) enrollments reached each step, in the order of the steps.",
            unit: "Enrollments",
            total.funnel.map { step in
                let share = Double(step.count) / Double(first) * 100
                return (step.step.title, Double(step.count), "\(step.count) (\(Int(share.rounded()))%)")
            })
    }

    static func days(_ days: ArraySlice<DaySummary>) -> ChartView {
        ChartView.columns(
            id: "states-per-day", title: "States per day",
            desc: "Enrollments first seen on each UTC day, stacked by the state each is in now"
                + (days.count == dayLimit ? " (the latest \(dayLimit) days)." : "."),
            series: EnrollmentState.allCases.map(\.rawValue),
            days.map { day in
                (
                    day.day,
                    EnrollmentState.allCases.map { state in
                        day.summary.states.first { $0.state == state }?.count ?? 0
                    }
                )
            })
    }

    static func failures(_ total: FleetSummary) -> ChartView {
        ChartView.bars(
            id: "failures", title: "Failures by reason",
            desc: "Failed enrollments by failed step and reason, most frequent first"
                + (total.failures.count > reasonLimit ? " (the top \(reasonLimit))." : "."),
            unit: "Failed enrollments",
            total.failures.prefix(reasonLimit).map { failure in
                (
                    "\(DisplayText.text(failure.reason)) (\(failure.step.title))", Double(failure.count),
                    "\(failure.count)"
                )
            })
    }

    static func timeToEnroll(_ total: FleetSummary) -> ChartView {
        guard let time = total.timeToEnroll else {
            return ChartView.bars(
                id: "time-to-enroll", title: "Time to enroll", desc: "No enrollment has completed.", unit: "", [])
        }
        return ChartView.bars(
            id: "time-to-enroll", title: "Time to enroll",
            desc: "Percentiles of the time from the first event to enrolled, over \(time.count) enrollments.",
            unit: "Time",
            [("p50", time.p50), ("p90", time.p90), ("p99", time.p99)].map { name, seconds in
                (name, seconds, DurationText.human(seconds))
            })
    }
}
