import EnrollmentDomain
import EventStore
import GRDB

/// The `device_status` projection: one row per enrollment (keyed by its canonical id), recomputed
/// from all the enrollment's events whenever one of its streams receives an event or its set changes.
///
/// It reads the identity tables, so it must come after ``IdentityProjection`` in the store's list. Work
/// is batched: `apply` only notes the stream in a temporary table; the enrollments noted are recomputed
/// at the end of the transaction, and every ``flushInterval`` positions during a bulk ingest or rebuild
/// (bounded memory). The notes live in SQLite, not in memory, so a rolled-back savepoint restores them
/// together with everything else it undoes.
public struct DeviceStatusProjection: InlineProjection {
    public let name = "device_status"
    /// Includes the identity projection's version: new identity rules rebuild this table too.
    /// 2: the first_seen index covers what `stats` reads. 3: the `fleet_stats` aggregate (``FleetStatsTables``).
    public let version = 1_000 * IdentityProjection().version + 3
    /// Every this many positions, the enrollments noted so far are recomputed before the transaction ends.
    public let flushInterval: Int64

    /// - Parameter flushInterval: the default is 10,000.
    public init(flushInterval: Int64 = 10_000) {
        self.flushInterval = max(1, flushInterval)
    }

    static let schema = """
        CREATE TABLE device_status (
            enrollment     TEXT PRIMARY KEY,
            user           TEXT,
            user_key       TEXT,
            entra_user_id  TEXT,
            state          TEXT NOT NULL
                           CHECK (state IN ('enrolled', 'in_progress', 'failed', 'declined', 'fallback', 'unenrolled')),
            step           TEXT,
            step_index     INTEGER NOT NULL CHECK (step_index BETWEEN -1 AND 6),
            failure_step   TEXT,
            failure_reason TEXT,
            os_version     TEXT,
            model          TEXT,
            first_seen     INTEGER NOT NULL,
            last_seen      INTEGER NOT NULL,
            last_step_at   INTEGER NOT NULL,
            enrolled_at    INTEGER,
            time_to_enroll_ms INTEGER,
            events         INTEGER NOT NULL CHECK (events >= 1)
        ) WITHOUT ROWID;
        CREATE INDEX device_status_state ON device_status(state, first_seen);
        CREATE INDEX device_status_stall ON device_status(state, last_step_at);
        CREATE INDEX device_status_first_seen ON device_status(
            first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms);
        CREATE INDEX device_status_user ON device_status(user_key, first_seen);
        CREATE INDEX device_status_entra_user ON device_status(entra_user_id);
        """

    public func reset(_ db: Database) throws {
        try Self.dirty(db, "DELETE FROM temp.device_status_dirty")
        try db.execute(sql: "DROP TABLE IF EXISTS device_status")
        try db.execute(sql: Self.schema)
        try db.execute(sql: FleetStatsTables.schema)
    }

    public func apply(_ recorded: RecordedEvent, _ db: Database) throws {
        try Self.dirty(db, "INSERT OR IGNORE INTO temp.device_status_dirty(stream) VALUES (?)", [recorded.event.stream])
        if recorded.event.type == "account.signed_in", let aad = recorded.currentData.nonEmptyString("aad_user_id") {
            // A new Entra id → UPN mapping may give Graph-only enrollments their user and failure join.
            try Self.dirty(
                db,
                """
                INSERT OR IGNORE INTO temp.device_status_dirty(stream)
                SELECT stream FROM identity_userless WHERE aad_user_id = ?
                """, [aad])
        }
        if recorded.position % flushInterval == 0 { try flush(db) }
    }

    public func commit(_ db: Database) throws {
        try flush(db)
    }

    /// Runs a statement on the table of noted streams, creating the table first when this connection
    /// lacks it (it is temporary: per connection, and gone when the transaction that made it rolls back).
    private static func dirty(_ db: Database, _ sql: String, _ arguments: StatementArguments = []) throws {
        do {
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
        } catch let error as DatabaseError where error.message?.hasPrefix("no such table") == true {
            try db.execute(
                sql: "CREATE TEMP TABLE IF NOT EXISTS device_status_dirty (stream TEXT PRIMARY KEY) WITHOUT ROWID")
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
        }
    }

    /// Recomputes the enrollments of the noted streams.
    private func flush(_ db: Database) throws {
        try Self.dirty(db, "DELETE FROM temp.device_status_dirty WHERE 0")  // makes sure the table exists
        let roots = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT n.root FROM temp.device_status_dirty d JOIN identity_nodes n ON n.id = d.stream
                    ORDER BY n.root
                    """))
        guard !roots.isEmpty else { return }
        let graph = IdentityGraph(db: db)
        let reader = try StoredEventReader(db)
        for root in roots {
            try recompute(root, graph: graph, reader: reader, db)
        }
        try db.cachedStatement(sql: "DELETE FROM temp.device_status_dirty").execute()
    }

    private func recompute(_ root: String, graph: IdentityGraph, reader: StoredEventReader, _ db: Database) throws {
        let members = try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM identity_nodes WHERE root = ? AND kinds & 1 = 1"),
            arguments: [root])
        let events = try reader.events(inStreams: members)
        let status = try StatusFold(enrollment: root, events: events) { try graph.upns(ofAADUser: $0).first }
        try db.cachedStatement(
            sql: "DELETE FROM device_status WHERE enrollment IN (SELECT id FROM identity_nodes WHERE root = ?)"
        ).execute(arguments: [root])
        guard status.events > 0 else { return }
        try db.cachedStatement(
            sql: """
                INSERT INTO device_status (enrollment, user, user_key, entra_user_id, state, step, step_index,
                    failure_step, failure_reason, os_version, model, first_seen, last_seen, last_step_at,
                    enrolled_at, time_to_enroll_ms, events)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                root, status.user, status.user?.lowercased(), status.entraUserID, status.state.rawValue,
                status.step?.rawValue, status.step?.index ?? -1, status.failure?.step.rawValue,
                status.failure?.reason, status.osVersion, status.model, status.firstSeen.milliseconds,
                status.lastSeen.milliseconds, (status.lastStepAt ?? status.firstSeen).milliseconds,
                status.enrolledAt?.milliseconds,
                status.timeToEnrollMilliseconds, status.events,
            ])
    }
}
