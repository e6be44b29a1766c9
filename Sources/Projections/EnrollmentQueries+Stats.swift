import EnrollmentDomain
import GRDB

extension EnrollmentQueries {
    /// Fleet statistics over the enrollments whose first event falls in the query's range: counts per
    /// state, the funnel, failures by reason, time-to-enroll percentiles, and per UTC day when asked.
    public func stats(_ query: StatsQuery = StatsQuery()) throws -> FleetStats {
        try store.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms
                    FROM device_status WHERE first_seen >= ? AND first_seen < ? ORDER BY first_seen
                    """,
                arguments: [query.since?.milliseconds ?? Int64.min, query.until?.milliseconds ?? Int64.max])
            var total = FleetAccumulator()
            var days: [(day: Int64, accumulator: FleetAccumulator)] = []
            while let row = try rows.next() {
                let state = EnrollmentState(rawValue: row[1]) ?? .inProgress
                let failure = (row[3] as String?).flatMap(EnrollmentStep.init(rawValue:)).map {
                    EnrollmentFailure(step: $0, reason: row[4] ?? "unknown")
                }
                let stepIndex: Int = row[2]
                let duration: Int64? = row[5]
                total.add(state: state, stepIndex: stepIndex, failure: failure, timeToEnroll: duration)
                guard query.byDay else { continue }
                let firstSeen: Int64 = row[0]
                let day = firstSeen >= 0 ? firstSeen / 86_400_000 : (firstSeen - 86_399_999) / 86_400_000
                if days.last?.day != day { days.append((day, FleetAccumulator())) }
                days[days.count - 1].accumulator.add(
                    state: state, stepIndex: stepIndex, failure: failure, timeToEnroll: duration)
            }
            return FleetStats(
                since: query.since, until: query.until, total: total.finish(),
                days: days.map { entry in
                    DaySummary(
                        day: String(Timestamp(milliseconds: entry.day * 86_400_000).iso8601.prefix(10)),
                        summary: entry.accumulator.finish())
                })
        }
    }
}
