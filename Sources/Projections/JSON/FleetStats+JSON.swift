import EnrollmentDomain

extension FleetSummary {
    /// The JSON form of one summary (the whole range, or one day).
    public var json: JSONValue {
        var failuresByReason: [String: JSONValue] = [:]
        for failure in failures {
            failuresByReason[failure.reason] = .int(
                (failuresByReason[failure.reason]?.intValue ?? 0) + Int64(failure.count))
        }
        return .object([
            "enrollments": .int(Int64(enrollments)),
            "states": .object(
                Dictionary(uniqueKeysWithValues: states.map { ($0.state.rawValue, .int(Int64($0.count))) })),
            "funnel": .object(
                Dictionary(uniqueKeysWithValues: funnel.map { ($0.step.rawValue, .int(Int64($0.count))) })),
            "failures": .object(failuresByReason),
            "failures_by_step": .array(
                failures.map {
                    .object([
                        "step": .string($0.step.rawValue), "reason": .string($0.reason), "count": .int(Int64($0.count)),
                    ])
                }),
            "time_to_enroll_s": timeToEnroll.map {
                .object([
                    "count": .int(Int64($0.count)), "p50": .double($0.p50), "p90": .double($0.p90),
                    "p99": .double($0.p99),
                ])
            } ?? .object(["count": .int(0), "p50": .null, "p90": .null, "p99": .null]),
        ])
    }
}

extension FleetStats {
    /// The JSON form of `stats --format json` and `GET /v1/stats`.
    public var json: JSONValue {
        guard case .object(var members) = total.json else { return .null }
        members["since"] = since.map { .string($0.iso8601) } ?? .null
        members["until"] = until.map { .string($0.iso8601) } ?? .null
        if !days.isEmpty {
            members["days"] = .array(
                days.map { day in
                    guard case .object(var summary) = day.summary.json else { return .null }
                    summary["day"] = .string(day.day)
                    return .object(summary)
                })
        }
        return .object(members)
    }
}
