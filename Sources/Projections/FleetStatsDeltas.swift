import GRDB

/// What one flush of the `device_status` writer changes in the `fleet_stats` aggregate: per key, how many
/// rows it counted (rows inserted) less how many it uncounted (rows deleted), written once per key,
/// sorted by key, when the flush ends (instead of an upsert per row from a trigger).
///
/// A row's key is what the triggers of old computed in SQL (``FleetStatsTables/countKey(prefix:)``): the
/// UTC day of `first_seen`, the state, the step, and the failure as `stats` reports it.
/// `FleetStatsDeltasTests` holds the Swift keys to the SQL ones.
struct FleetStatsDeltas {
    /// The columns of a `device_status` row that the aggregate counts.
    struct Row {
        var firstSeen: Int64
        var state: String
        var stepIndex: Int64
        var failureStep: String?
        var failureReason: String?
        var timeToEnrollMilliseconds: Int64?

        /// The columns ``FleetStatsDeltas/returning`` lists, in that order.
        init(_ row: GRDB.Row) {
            self.init(
                firstSeen: row[0], state: row[1], stepIndex: row[2], failureStep: row[3], failureReason: row[4],
                timeToEnrollMilliseconds: row[5])
        }

        init(
            firstSeen: Int64, state: String, stepIndex: Int64, failureStep: String?, failureReason: String?,
            timeToEnrollMilliseconds: Int64?
        ) {
            self.firstSeen = firstSeen
            self.state = state
            self.stepIndex = stepIndex
            self.failureStep = failureStep
            self.failureReason = failureReason
            self.timeToEnrollMilliseconds = timeToEnrollMilliseconds
        }
    }

    /// A key of `fleet_stats`.
    struct CountKey: Hashable, Comparable {
        var day: Int64
        var state: String
        var stepIndex: Int64
        var failureStep: String
        var failureReason: String

        init(_ row: Row) {
            day = FleetStatsTables.day(ofMilliseconds: row.firstSeen)
            state = row.state
            stepIndex = row.stepIndex
            failureStep = row.failureStep ?? ""
            failureReason = row.failureStep == nil ? "" : row.failureReason ?? "unknown"
        }

        var arguments: StatementArguments { [day, state, stepIndex, failureStep, failureReason] }

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.day, lhs.state, lhs.stepIndex, lhs.failureStep, lhs.failureReason)
                < (rhs.day, rhs.state, rhs.stepIndex, rhs.failureStep, rhs.failureReason)
        }
    }

    /// A key of `fleet_stats_time_to_enroll`.
    struct TimeKey: Hashable, Comparable {
        var day: Int64
        var bucket: Int64

        var arguments: StatementArguments { [day, bucket] }

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.day, lhs.bucket) < (rhs.day, rhs.bucket) }
    }

    /// The `RETURNING` clause that gives a deleted row's counted columns, in ``Row``'s order.
    static let returning =
        "RETURNING first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms"

    private(set) var counts: [CountKey: Int64] = [:]
    private(set) var times: [TimeKey: Int64] = [:]

    /// Counts `row` (`sign` +1: a row inserted) or uncounts it (−1: a row deleted).
    mutating func add(_ row: Row, sign: Int64) {
        let key = CountKey(row)
        counts[key, default: 0] += sign
        if let milliseconds = row.timeToEnrollMilliseconds {
            times[TimeKey(day: key.day, bucket: TimeToEnrollBuckets.bucket(milliseconds: milliseconds)), default: 0] +=
                sign
        }
    }

    /// Applies the deltas to the aggregate, sorted by key, once per key that changed. A count that
    /// reaches 0 deletes its row; one that would go below 0 fails the table's CHECK (the aggregate and
    /// `device_status` disagree: the transaction rolls back).
    func write(_ db: Database) throws {
        let columns = FleetStatsTables.countKeyColumns
        let matching = columns.map { "\($0) = ?" }.joined(separator: " AND ")
        try write(
            counts, db,
            delete: "DELETE FROM fleet_stats WHERE \(matching) AND enrollments = ?",
            update: "UPDATE fleet_stats SET enrollments = enrollments + ? WHERE \(matching)",
            upsert: """
                INSERT INTO fleet_stats (\(columns.joined(separator: ", ")), enrollments) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (\(columns.joined(separator: ", ")))
                    DO UPDATE SET enrollments = enrollments + excluded.enrollments
                """, arguments: \.arguments)
        try write(
            times, db,
            delete: "DELETE FROM fleet_stats_time_to_enroll WHERE day = ? AND bucket = ? AND enrollments = ?",
            update: "UPDATE fleet_stats_time_to_enroll SET enrollments = enrollments + ? WHERE day = ? AND bucket = ?",
            upsert: """
                INSERT INTO fleet_stats_time_to_enroll (day, bucket, enrollments) VALUES (?, ?, ?)
                    ON CONFLICT (day, bucket) DO UPDATE SET enrollments = enrollments + excluded.enrollments
                """, arguments: \.arguments)
    }

    private func write<Key: Comparable>(
        _ deltas: [Key: Int64], _ db: Database, delete: String, update: String, upsert: String,
        arguments: (Key) -> StatementArguments
    ) throws {
        let deleteStatement = try db.cachedStatement(sql: delete)
        let updateStatement = try db.cachedStatement(sql: update)
        let upsertStatement = try db.cachedStatement(sql: upsert)
        for (key, delta) in deltas.sorted(by: { $0.key < $1.key }) where delta != 0 {
            if delta < 0 {
                // The count drops to 0 exactly when the row holds −delta; else it keeps a smaller count (SQLite
                // checks an INSERT's CHECK before its conflict clause, so a negative delta cannot be upserted).
                try deleteStatement.execute(arguments: arguments(key) + [-delta])
                if db.changesCount > 0 { continue }
                try updateStatement.execute(arguments: [delta] + arguments(key))
                if db.changesCount > 0 { continue }
            }
            // A negative delta gets here only when the aggregate has no row to take it from: the CHECK fails.
            try upsertStatement.execute(arguments: arguments(key) + [delta])
        }
    }
}
