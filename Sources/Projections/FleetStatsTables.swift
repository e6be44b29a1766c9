/// The `fleet_stats` aggregate: per UTC day of first event, how many `device_status` rows there are of
/// each (state, step_index, failure), and of each bucket of time to enroll (``TimeToEnrollBuckets``).
///
/// The `device_status` writer keeps it: each drain of ``DeviceStatusFold`` uncounts the stored rows it
/// replaces or deletes and counts the rows it writes, and the writer applies the net change of each key
/// once, sorted, right after the rows, in the same flush and transaction (``FleetStatsDeltas``). A count
/// that reaches 0 deletes its row. A rebuild leaves the aggregate out while it fills `device_status` and
/// counts it in one grouped pass at the end (``createAndFill``). So ``EnrollmentQueries/stats(_:)`` costs
/// a read per day instead of a read per enrollment.
///
/// The projection never runs an UPDATE on `device_status` (it upserts with `INSERT OR REPLACE`, and
/// deletes), so the one trigger left, after an UPDATE of a counted column, is for hand edits of the table
/// and costs an ingest nothing; an INSERT or DELETE by hand is not counted (rebuild the projections after
/// one). `FleetStatsAggregateTests` checks the aggregate against a recount after ingests, rebuilds,
/// incremental appends and merges; `FlushPathTests` that the rows and the counts move in the same flush.
///
/// ``DeviceStatusProjection`` runs ``schema`` at the end of a rebuild, after filling `device_status`
/// (dropping that table drops the trigger). Until projection version 6 (issue 13) triggers after INSERT
/// and DELETE counted every row: ~10% of an ingest (docs/performance.md).
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

    /// The UTC day number (days since 1970-01-01) of a time in milliseconds, rounded down (also before 1970):
    /// what ``day(of:)`` computes in SQL.
    static func day(ofMilliseconds milliseconds: Int64) -> Int64 {
        milliseconds / 86_400_000 - (milliseconds % 86_400_000 < 0 ? 1 : 0)
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
