import EnrollmentDomain
import Foundation
import Projections

/// How `stats` prints fleet statistics.
enum StatsRendering {
    static func json(_ summary: FleetSummary) -> JSONValue {
        var failures: [String: JSONValue] = [:]
        for failure in summary.failures {
            failures[failure.reason] = .int((failures[failure.reason]?.intValue ?? 0) + Int64(failure.count))
        }
        return .object([
            "enrollments": .int(Int64(summary.enrollments)),
            "states": .object(
                Dictionary(uniqueKeysWithValues: summary.states.map { ($0.state.rawValue, .int(Int64($0.count))) })),
            "funnel": .object(
                Dictionary(uniqueKeysWithValues: summary.funnel.map { ($0.step.rawValue, .int(Int64($0.count))) })),
            "failures": .object(failures),
            "failures_by_step": .array(
                summary.failures.map {
                    .object([
                        "step": .string($0.step.rawValue), "reason": .string($0.reason), "count": .int(Int64($0.count)),
                    ])
                }),
            "time_to_enroll_s": summary.timeToEnroll.map {
                .object([
                    "count": .int(Int64($0.count)), "p50": .double($0.p50), "p90": .double($0.p90),
                    "p99": .double($0.p99),
                ])
            } ?? .object(["count": .int(0), "p50": .null, "p90": .null, "p99": .null]),
        ])
    }

    static func json(_ stats: FleetStats) -> JSONValue {
        guard case .object(var members) = json(stats.total) else { return .null }
        members["since"] = stats.since.map { .string($0.iso8601) } ?? .null
        members["until"] = stats.until.map { .string($0.iso8601) } ?? .null
        if !stats.days.isEmpty {
            members["days"] = .array(
                stats.days.map { day in
                    guard case .object(var summary) = json(day.summary) else { return .null }
                    summary["day"] = .string(day.day)
                    return .object(summary)
                })
        }
        return .object(members)
    }

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
    static func prometheus(_ stats: FleetStats) -> String {
        let summary = stats.total
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func label(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        metric("enroll_audit_enrollments", "gauge", "Enrollments known to the store.", [("", "\(summary.enrollments)")])
        metric(
            "enroll_audit_enrollments_by_state", "gauge", "Enrollments per state.",
            summary.states.map { (label([("state", $0.state.rawValue)]), "\($0.count)") })
        metric(
            "enroll_audit_funnel_enrollments", "gauge", "Enrollments that reached each step.",
            summary.funnel.map { (label([("step", $0.step.rawValue)]), "\($0.count)") })
        metric(
            "enroll_audit_failures", "gauge", "Failed enrollments per failed step and reason.",
            summary.failures.map { (label([("step", $0.step.rawValue), ("reason", $0.reason)]), "\($0.count)") })
        if let time = summary.timeToEnroll {
            metric(
                "enroll_audit_time_to_enroll_seconds", "gauge", "Time from the first event to enrolled, by quantile.",
                [
                    (label([("quantile", "0.5")]), "\(time.p50)"), (label([("quantile", "0.9")]), "\(time.p90)"),
                    (label([("quantile", "0.99")]), "\(time.p99)"),
                ])
            metric(
                "enroll_audit_enrolled_with_duration", "gauge", "Enrolled enrollments the quantiles are over.",
                [("", "\(time.count)")])
        }
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
