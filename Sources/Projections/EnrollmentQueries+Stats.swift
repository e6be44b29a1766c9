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
        let statements = FleetStatsStatements(query, dialect: .sqlite)
        let arguments = StatementArguments(statements.arguments)
        return try store.read { db in
            var collector = FleetStatsCollector(query)
            let counts = try Row.fetchCursor(db, sql: statements.counts, arguments: arguments)
            while let row = try counts.next() {
                collector.addCount(
                    day: row[0], state: row[1], stepIndex: row[2], failureStep: row[3], failureReason: row.text(at: 4),
                    count: row[5])
            }
            let times = try Row.fetchCursor(db, sql: statements.timesToEnroll, arguments: arguments)
            while let row = try times.next() {
                collector.addTimesToEnroll(day: row[0], bucket: row[1], count: row[2])
            }
            return collector.finish()
        }
    }
}

/// The SQL dialects the statistics' statements are written in.
public enum StatsDialect: Sendable {
    /// `?` placeholders.
    case sqlite
    /// `$1…` placeholders, the day's sign test cast to an integer, sums cast back to `bigint`.
    case postgres
}

/// The two statements of ``EnrollmentQueries/stats(_:)`` for a query, in a backend's dialect: rows
/// `(day, state, step_index, failure_step, failure_reason, enrollments)` and `(day, bucket, enrollments)`,
/// both taking ``arguments``. Their rows go to a ``FleetStatsCollector``.
public struct FleetStatsStatements: Sendable {
    public var counts: String
    public var timesToEnroll: String
    /// The whole days, then each partial day's bounds.
    public var arguments: [Int64]

    public init(_ query: StatsQuery, dialect: StatsDialect) {
        let range = FleetStatsRange(since: query.since?.milliseconds, until: query.until?.milliseconds)
        counts = range.countsSQL(byDay: query.byDay, dialect: dialect)
        timesToEnroll = range.timesToEnrollSQL(byDay: query.byDay, dialect: dialect)
        arguments = range.argumentValues
        if dialect == .postgres {
            counts = Self.numbered(counts)
            timesToEnroll = Self.numbered(timesToEnroll)
        }
    }

    /// `?` placeholders as `$1`, `$2`, … (the statements hold no other `?`).
    private static func numbered(_ sql: String) -> String {
        var result = ""
        var next = 0
        for character in sql {
            if character == "?" {
                next += 1
                result += "$\(next)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Sums the rows of ``FleetStatsStatements`` into ``FleetStats``: what every backend does with them.
public struct FleetStatsCollector: Sendable {
    private let query: StatsQuery
    private var total = FleetAccumulator()
    private var days: [Int64: FleetAccumulator] = [:]

    public init(_ query: StatsQuery) {
        self.query = query
    }

    /// A row of the counts statement (`failureStep` empty: none).
    public mutating func addCount(
        day: Int64?, state: String, stepIndex: Int, failureStep: String, failureReason: String?, count: Int
    ) {
        let state = EnrollmentState(rawValue: state) ?? .inProgress
        let failure = EnrollmentStep(rawValue: failureStep).map {
            EnrollmentFailure(step: $0, reason: failureReason ?? "unknown")
        }
        total.add(count, state: state, stepIndex: stepIndex, failure: failure)
        if query.byDay, let day {
            days[day, default: FleetAccumulator()].add(count, state: state, stepIndex: stepIndex, failure: failure)
        }
    }

    /// A row of the times-to-enroll statement.
    public mutating func addTimesToEnroll(day: Int64?, bucket: Int64, count: Int) {
        total.addTimesToEnroll(count, bucket: bucket)
        if query.byDay, let day { days[day, default: FleetAccumulator()].addTimesToEnroll(count, bucket: bucket) }
    }

    public func finish() -> FleetStats {
        FleetStats(
            since: query.since, until: query.until, total: total.finish(),
            days: days.sorted { $0.key < $1.key }.map { day, accumulator in
                DaySummary(
                    day: String(Timestamp(milliseconds: day * FleetStatsRange.dayMilliseconds).iso8601.prefix(10)),
                    summary: accumulator.finish())
            })
    }
}

extension FleetStatsRange {
    /// Rows `(day, state, step_index, failure_step, failure_reason, enrollments)` of the range, summed per day
    /// (or over all days, with a null day, unless `byDay`).
    func countsSQL(byDay: Bool, dialect: StatsDialect) -> String {
        let key = FleetStatsTables.countKeyColumns
        var partialKey = FleetStatsTables.countKey(prefix: "")
        partialKey[0] = Self.day(of: "first_seen", dialect)
        return summed(
            columns: key, byDay: byDay, dialect: dialect,
            aggregate: "SELECT \(key.joined(separator: ", ")), enrollments FROM fleet_stats",
            partial: "SELECT \(partialKey.joined(separator: ", ")), 1 FROM device_status",
            partialCondition: "")
    }

    /// Rows `(day, bucket, enrollments)` of the times to enroll of the range, summed per day (or over all
    /// days, with a null day, unless `byDay`).
    func timesToEnrollSQL(byDay: Bool, dialect: StatsDialect) -> String {
        summed(
            columns: ["day", "bucket"], byDay: byDay, dialect: dialect,
            aggregate: "SELECT day, bucket, enrollments FROM fleet_stats_time_to_enroll",
            partial: """
                SELECT \(Self.day(of: "first_seen", dialect)), \
                \(TimeToEnrollBuckets.sql(milliseconds: "time_to_enroll_ms")), 1 FROM device_status
                """,
            partialCondition: " AND time_to_enroll_ms IS NOT NULL")
    }

    /// The arguments of either statement: the whole days, then each partial day's bounds. The statements
    /// read the aggregate once and `device_status` once per partial day.
    var argumentValues: [Int64] {
        var values: [Int64] = [wholeDays.lowerBound, wholeDays.upperBound]
        for partial in partialDays { values += [partial.lowerBound, partial.upperBound] }
        return values
    }

    /// The UTC day number of a time in milliseconds in `dialect` (PostgreSQL subtracts no boolean).
    static func day(of milliseconds: String, _ dialect: StatsDialect) -> String {
        switch dialect {
        case .sqlite: FleetStatsTables.day(of: milliseconds)
        case .postgres: "(\(milliseconds) / 86400000 - (\(milliseconds) % 86400000 < 0)::int)"
        }
    }

    private func summed(
        columns: [String], byDay: Bool, dialect: StatsDialect, aggregate: String, partial: String,
        partialCondition: String
    ) -> String {
        let sources =
            ["\(aggregate) WHERE day >= ? AND day < ?"]
            + partialDays.map { _ in "\(partial) WHERE first_seen >= ? AND first_seen < ?\(partialCondition)" }
        let grouped = byDay ? columns : Array(columns.dropFirst())
        return """
            SELECT \(byDay ? "day" : "NULL"), \(columns.dropFirst().joined(separator: ", ")), \
            \(dialect == .postgres ? "sum(enrollments)::bigint" : "sum(enrollments)")
            FROM (\(sources.joined(separator: " UNION ALL "))) AS ranged GROUP BY \(grouped.joined(separator: ", "))
            """
    }
}
