/// The `fleet_stats` aggregate: per UTC day of first event, how many `device_status` rows there are of
/// each (state, step_index, failure), and of each bucket of time to enroll (``TimeToEnrollBuckets``).
///
/// SQLite triggers on `device_status` keep it, in the same statement as the row they count: +1 after an
/// INSERT, −1 after a DELETE, both after an UPDATE of a counted column. So it is right whatever code path
/// writes `device_status` (ingest, the flushes of a bulk ingest, rebuild), and ``EnrollmentQueries/stats(_:)``
/// costs a read per day instead of a read per enrollment. A count that reaches 0 deletes its row.
///
/// One way of writing `device_status` escapes triggers: `INSERT OR REPLACE` (SQLite fires no DELETE trigger
/// for the row a REPLACE removes). The projection deletes and inserts; `FleetStatsTests` checks the aggregate
/// against a recount after ingests, rebuilds and incremental appends.
///
/// ``DeviceStatusProjection`` runs ``schema`` in its `reset`, after creating `device_status` (dropping that
/// table drops the triggers). The cost: ~5% of an ingest's throughput, ~25% of a rebuild's, mostly the
/// statement journal SQLite keeps for an INSERT into a table with triggers (docs/performance.md).
enum FleetStatsTables {
    static let schema = """
        DROP TABLE IF EXISTS fleet_stats;
        DROP TABLE IF EXISTS fleet_stats_time_to_enroll;
        CREATE TABLE fleet_stats (
            day            INTEGER NOT NULL,
            state          TEXT NOT NULL,
            step_index     INTEGER NOT NULL,
            failure_step   TEXT NOT NULL,
            failure_reason TEXT NOT NULL,
            enrollments    INTEGER NOT NULL CHECK (enrollments > 0),
            PRIMARY KEY (day, state, step_index, failure_step, failure_reason)
        ) WITHOUT ROWID;
        CREATE TABLE fleet_stats_time_to_enroll (
            day            INTEGER NOT NULL,
            bucket         INTEGER NOT NULL,
            enrollments    INTEGER NOT NULL CHECK (enrollments > 0),
            PRIMARY KEY (day, bucket)
        ) WITHOUT ROWID;
        CREATE TRIGGER fleet_stats_insert AFTER INSERT ON device_status BEGIN
            \(count(row: "NEW"))
        END;
        CREATE TRIGGER fleet_stats_delete AFTER DELETE ON device_status BEGIN
            \(uncount(row: "OLD"))
        END;
        CREATE TRIGGER fleet_stats_update AFTER UPDATE OF
            first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms ON device_status
        BEGIN
            \(uncount(row: "OLD"))
            \(count(row: "NEW"))
        END;
        """

    /// The key columns of `fleet_stats`, in order.
    static let countKeyColumns = ["day", "state", "step_index", "failure_step", "failure_reason"]

    /// The values of ``countKeyColumns`` for a `device_status` row, as SQL expressions on its columns
    /// (`prefix` `NEW.`, `OLD.`, or empty in a query): the UTC day of `first_seen` (rounded down, also before
    /// 1970), and the failure as `stats` reports it (no failure: two empty strings; no reason: `unknown`).
    static func countKey(prefix: String) -> [String] {
        [
            day(of: "\(prefix)first_seen"), "\(prefix)state", "\(prefix)step_index",
            "COALESCE(\(prefix)failure_step, '')",
            "CASE WHEN \(prefix)failure_step IS NULL THEN '' ELSE COALESCE(\(prefix)failure_reason, 'unknown') END",
        ]
    }

    /// The UTC day number (days since 1970-01-01) of a time in milliseconds, as an SQL expression.
    static func day(of milliseconds: String) -> String {
        "(\(milliseconds) / 86400000 - (\(milliseconds) % 86400000 < 0))"
    }

    private static func count(row: String) -> String {
        let key = countKey(prefix: row + ".")
        return """
            INSERT INTO fleet_stats (\(countKeyColumns.joined(separator: ", ")), enrollments)
                VALUES (\(key.joined(separator: ", ")), 1)
                ON CONFLICT (\(countKeyColumns.joined(separator: ", "))) DO UPDATE SET enrollments = enrollments + 1;
            INSERT INTO fleet_stats_time_to_enroll (day, bucket, enrollments)
                SELECT \(key[0]), \(TimeToEnrollBuckets.sql(milliseconds: "\(row).time_to_enroll_ms")), 1
                WHERE \(row).time_to_enroll_ms IS NOT NULL
                ON CONFLICT (day, bucket) DO UPDATE SET enrollments = enrollments + 1;
            """
    }

    private static func uncount(row: String) -> String {
        let key = countKey(prefix: row + ".")
        let counted = zip(countKeyColumns, key).map { "\($0) = \($1)" }.joined(separator: " AND ")
        let bucketed = """
            \(row).time_to_enroll_ms IS NOT NULL AND day = \(key[0])
                AND bucket = \(TimeToEnrollBuckets.sql(milliseconds: "\(row).time_to_enroll_ms"))
            """
        return """
            DELETE FROM fleet_stats WHERE \(counted) AND enrollments = 1;
            UPDATE fleet_stats SET enrollments = enrollments - 1 WHERE \(counted);
            DELETE FROM fleet_stats_time_to_enroll WHERE \(bucketed) AND enrollments = 1;
            UPDATE fleet_stats_time_to_enroll SET enrollments = enrollments - 1 WHERE \(bucketed);
            """
    }
}
