import EnrollmentDomain
import Foundation
import Projections

/// How `stats` prints fleet statistics.
enum StatsRendering {
    static func json(_ stats: FleetStats) -> JSONValue { stats.json }

    static func table(_ stats: FleetStats) -> String {
        var out = section(stats.total, title: "Fleet: \(stats.total.enrollments) enrollments")
        for day in stats.days {
            out += "\n" + section(day.summary, title: "\(day.day): \(day.summary.enrollments) enrollments")
        }
        return out
    }

    private static func section(_ summary: FleetSummary, title: String) -> String {
        var out = title + "\n\n"
        var states = TextTable(["STATE", "ENROLLMENTS"])
        for entry in summary.states { states.append([entry.state.rawValue, String(entry.count)]) }
        out += states.rendered + "\n"
        var funnel = TextTable(["STEP REACHED", "ENROLLMENTS", "OF ALL"])
        for entry in summary.funnel {
            let share = summary.enrollments == 0 ? 0 : Double(entry.count) * 100 / Double(summary.enrollments)
            funnel.append([entry.step.rawValue, String(entry.count), String(format: "%.0f%%", share)])
        }
        out += funnel.rendered + "\n"
        if !summary.failures.isEmpty {
            var failures = TextTable(["FAILED AT", "REASON", "ENROLLMENTS"])
            for entry in summary.failures { failures.append([entry.step.rawValue, entry.reason, String(entry.count)]) }
            out += failures.rendered + "\n"
        }
        if let time = summary.timeToEnroll {
            out += "time to enroll (\(time.count) enrolled): p50 \(HumanDuration.format(time.p50)), "
            out += "p90 \(HumanDuration.format(time.p90)), p99 \(HumanDuration.format(time.p99))\n"
        }
        return out
    }

    /// The Prometheus text exposition format (version 0.0.4).
    static func prometheus(_ stats: FleetStats) -> String { stats.prometheus() }
}
