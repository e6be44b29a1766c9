import EventStore
import PostgresNIO

/// The privileges of the PostgreSQL store (docs/postgres.md): the owner role runs the migrations and owns
/// the tables; the writer role that `ingest`, `serve` and the other commands use may SELECT and INSERT,
/// nothing else, so it cannot UPDATE, DELETE or TRUNCATE the log even where a trigger were dropped. The read
/// models, which the append transaction updates in place, it may also UPDATE and DELETE (never TRUNCATE).
extension PostgresEventStore {
    /// The tables of the log.
    public static let logTables = ["events", "merkle_nodes", "checkpoints"]

    /// The tables of the read models (migration `0002_projections`), named as on SQLite.
    public static let projectionTables = [
        "projection_checkpoints", "identity_nodes", "identity_sets", "identity_user_ids", "identity_userless",
        "device_status", "fleet_stats", "fleet_stats_time_to_enroll",
    ]

    /// Grants `role` what a writer needs, and nothing more: SELECT and INSERT on the log's tables, SELECT,
    /// INSERT, UPDATE and DELETE on the read models' tables, SELECT on the migrations table. Run as the owner (the role that migrated the store).
    ///
    /// - Throws: ``EventStoreError`` `invalid_event` for a role name that is not a plain identifier.
    public func grantWriter(role: String) async throws {
        guard role.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
            throw EventStoreError(.invalidEvent, "'\(role)' is not a plain role name ([a-z_][a-z0-9_]*)")
        }
        let tables = Self.logTables.joined(separator: ", ")
        let projections = Self.projectionTables.joined(separator: ", ")
        try await transaction { [self] connection in
            // The role name is checked above to be a plain identifier: it is quoted, never interpolated raw.
            try await connection.query(
                PostgresQuery(unsafeSQL: "GRANT SELECT, INSERT ON \(tables) TO \"\(role)\""), logger: logger)
            try await connection.query(
                PostgresQuery(unsafeSQL: "GRANT SELECT, INSERT, UPDATE, DELETE ON \(projections) TO \"\(role)\""),
                logger: logger)
            try await connection.query(
                PostgresQuery(unsafeSQL: "GRANT SELECT ON enroll_audit_migrations TO \"\(role)\""), logger: logger)
        }
    }
}
