extension FleetStats {
    /// The fleet gauges in the Prometheus text exposition format (version 0.0.4), shared by
    /// `stats --format prometheus` and `GET /metrics`.
    ///
    /// - Parameter stalled: the count of stalled enrollments, when known (`/metrics` adds it).
    public func prometheus(stalled: Int? = nil) -> String {
        let summary = total
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func label(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\($0.0)=\"\(Self.prometheusEscape($0.1))\"" }.joined(separator: ",") + "}"
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
        if let stalled {
            metric(
                "enroll_audit_stalled_enrollments", "gauge", "In-progress enrollments with no step for the stall time.",
                [("", "\(stalled)")])
        }
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

    /// A label value escaped for the text exposition format: backslash, double quote, newline.
    public static func prometheusEscape(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
