import GRDB

extension FleetStatsDeltas.CountKey {
    /// The key's values; the failure reason, from a device, is bound whole (``SQLText``), as the grouped
    /// count of a rebuild copies it from `device_status`.
    var arguments: StatementArguments { [day, state, stepIndex, failureStep, SQLText(failureReason)] }
}

extension FleetStatsDeltas.TimeKey {
    var arguments: StatementArguments { [day, bucket] }
}

extension FleetStatsDeltas {
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
