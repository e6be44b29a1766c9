import EnrollmentDomain
import GRDB

extension EnrollmentQueries {
    /// Fleet statistics over the enrollments whose first event falls in the query's range: counts per
    /// state, the funnel, failures by reason, time-to-enroll percentiles, and per UTC day when asked.
    ///
    /// The whole UTC days of the range are read from the per-day `fleet_stats` aggregate
    /// (``FleetStatsTables``), the partial days at its edges (at most two) are counted from `device_status`
    /// into the same groups and buckets: the cost grows with the number of days, not of enrollments.
    /// Percentiles are those of ``TimeToEnrollBuckets``.
    public func stats(_ query: StatsQuery = StatsQuery()) throws -> FleetStats {
        let range = FleetStatsRange(since: query.since?.milliseconds, until: query.until?.milliseconds)
        return try store.read { db in
            var total = FleetAccumulator()
            var days: [Int64: FleetAccumulator] = [:]
            let counts = try Row.fetchCursor(
                db, sql: range.countsSQL(byDay: query.byDay), arguments: range.arguments)
            while let row = try counts.next() {
                let state = EnrollmentState(rawValue: row[1]) ?? .inProgress
                let stepIndex: Int = row[2]
                let failure = EnrollmentStep(rawValue: row[3]).map {
                    EnrollmentFailure(step: $0, reason: row.text(at: 4) ?? "unknown")
                }
                let count: Int = row[5]
                total.add(count, state: state, stepIndex: stepIndex, failure: failure)
                if query.byDay {
                    days[row[0], default: FleetAccumulator()].add(
                        count, state: state, stepIndex: stepIndex, failure: failure)
                }
            }
            let times = try Row.fetchCursor(
                db, sql: range.timesToEnrollSQL(byDay: query.byDay), arguments: range.arguments)
            while let row = try times.next() {
                let bucket: Int64 = row[1]
                let count: Int = row[2]
                total.addTimesToEnroll(count, bucket: bucket)
                if query.byDay { days[row[0], default: FleetAccumulator()].addTimesToEnroll(count, bucket: bucket) }
            }
            return FleetStats(
                since: query.since, until: query.until, total: total.finish(),
                days: days.sorted { $0.key < $1.key }.map { day, accumulator in
                    DaySummary(
                        day: String(Timestamp(milliseconds: day * FleetStatsRange.dayMilliseconds).iso8601.prefix(10)),
                        summary: accumulator.finish())
                })
        }
    }
}

extension FleetStatsRange {
    /// Rows `(day, state, step_index, failure_step, failure_reason, enrollments)` of the range, summed per day
    /// (or over all days, with a null day, unless `byDay`).
    func countsSQL(byDay: Bool) -> String {
        let key = FleetStatsTables.countKeyColumns
        return summed(
            columns: key, byDay: byDay,
            aggregate: "SELECT \(key.joined(separator: ", ")), enrollments FROM fleet_stats",
            partial: "SELECT \(FleetStatsTables.countKey(prefix: "").joined(separator: ", ")), 1 FROM device_status",
            partialCondition: "")
    }

    /// Rows `(day, bucket, enrollments)` of the times to enroll of the range, summed per day (or over all
    /// days, with a null day, unless `byDay`).
    func timesToEnrollSQL(byDay: Bool) -> String {
        summed(
            columns: ["day", "bucket"], byDay: byDay,
            aggregate: "SELECT day, bucket, enrollments FROM fleet_stats_time_to_enroll",
            partial: """
                SELECT \(FleetStatsTables.day(of: "first_seen")), \
                \(TimeToEnrollBuckets.sql(milliseconds: "time_to_enroll_ms")), 1 FROM device_status
                """,
            partialCondition: " AND time_to_enroll_ms IS NOT NULL")
    }

    /// The arguments of either statement: the whole days, then each partial day's bounds. The statements
    /// read the aggregate once and `device_status` once per partial day.
    var arguments: StatementArguments {
        var values: [Int64] = [wholeDays.lowerBound, wholeDays.upperBound]
        for partial in partialDays { values += [partial.lowerBound, partial.upperBound] }
        return StatementArguments(values)
    }

    private func summed(
        columns: [String], byDay: Bool, aggregate: String, partial: String, partialCondition: String
    ) -> String {
        let sources =
            ["\(aggregate) WHERE day >= ? AND day < ?"]
            + partialDays.map { _ in "\(partial) WHERE first_seen >= ? AND first_seen < ?\(partialCondition)" }
        let grouped = byDay ? columns : Array(columns.dropFirst())
        return """
            SELECT \(byDay ? "day" : "NULL"), \(columns.dropFirst().joined(separator: ", ")), sum(enrollments)
            FROM (\(sources.joined(separator: " UNION ALL "))) GROUP BY \(grouped.joined(separator: ", "))
            """
    }
}
