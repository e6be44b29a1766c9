extension FleetStatsTables {
    /// Drops the aggregate (a rebuild fills `device_status` first and counts it once at the end).
    static let drop = """
        DROP TABLE IF EXISTS fleet_stats;
        DROP TABLE IF EXISTS fleet_stats_time_to_enroll;
        """

    /// Creates the aggregate and its triggers, counting the `device_status` rows already there in one
    /// grouped pass (instead of a trigger per row while a rebuild fills the table).
    static var createAndFill: String {
        let key = countKey(prefix: "")
        return schema + """

            INSERT INTO fleet_stats (\(countKeyColumns.joined(separator: ", ")), enrollments)
                SELECT \(key.joined(separator: ", ")), count(*) FROM device_status GROUP BY 1, 2, 3, 4, 5;
            INSERT INTO fleet_stats_time_to_enroll (day, bucket, enrollments)
                SELECT \(key[0]), \(TimeToEnrollBuckets.sql(milliseconds: "time_to_enroll_ms")), count(*)
                FROM device_status WHERE time_to_enroll_ms IS NOT NULL GROUP BY 1, 2;
            """
    }
}
