import EnrollmentDomain
import EventStore
import GRDB

/// The `device_status` projection: one row per enrollment (keyed by its canonical id), recomputed
/// from all the enrollment's events whenever one of its streams receives an event or its set changes.
///
/// It reads the identity tables, so it must come after ``IdentityProjection`` in the store's list (every
/// writer is flushed in that order). Work is batched (``DeviceStatusFold``): `apply` only notes the
/// stream; the enrollments noted are recomputed at the end of the transaction, and every
/// ``flushInterval`` events during a bulk ingest or rebuild (bounded memory), each changed row written
/// once, in key order.
public struct DeviceStatusProjection: InlineProjection {
    public let name = "device_status"
    /// Includes the identity projection's version: new identity rules rebuild this table too.
    /// 2: the first_seen index covers what `stats` reads. 3: the `fleet_stats` aggregate (``FleetStatsTables``).
    /// 4: the latest unanswered problem (`problem_type`, `problem_reason`, `problem_at`). 5: `conflicts`.
    /// 6: the writer keeps `fleet_stats` (``FleetStatsDeltas``), not triggers after INSERT and DELETE.
    public let version = 1_000 * IdentityProjection().version + 6
    /// Every this many events, the enrollments noted so far are recomputed before the transaction ends.
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
            events         INTEGER NOT NULL CHECK (events >= 1),
            problem_type   TEXT,
            problem_reason TEXT,
            problem_at     INTEGER,
            conflicts      TEXT
        ) WITHOUT ROWID;
        """

    /// The secondary indexes, for the queries. A rebuild creates them after filling the table (one
    /// sorted build each instead of an insert into each per row), so ``reset(_:)`` leaves them out, and
    /// the same for the `fleet_stats` aggregate and its triggers (``FleetStatsTables``).
    static let indexes = """
        CREATE INDEX IF NOT EXISTS device_status_state ON device_status(state, first_seen);
        CREATE INDEX IF NOT EXISTS device_status_stall ON device_status(state, last_step_at);
        CREATE INDEX IF NOT EXISTS device_status_first_seen ON device_status(
            first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms);
        CREATE INDEX IF NOT EXISTS device_status_user ON device_status(user_key, first_seen);
        CREATE INDEX IF NOT EXISTS device_status_entra_user ON device_status(entra_user_id);
        CREATE INDEX IF NOT EXISTS device_status_conflicted ON device_status(first_seen) WHERE conflicts IS NOT NULL;
        """

    public func reset(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS device_status")
        try db.execute(sql: Self.schema)
        try db.execute(sql: FleetStatsTables.drop)
    }

    public func makeWriter(_ db: Database) throws -> any ProjectionWriter {
        try makeWriter(db, after: [])
    }

    /// Reads the identity sets from the ``IdentityProjection`` writer among `earlier`, when there is one, while
    /// its fold holds the whole graph.
    public func makeWriter(_ db: Database, after earlier: [any ProjectionWriter]) throws -> any ProjectionWriter {
        let indexed = try Bool.fetchOne(
            db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = 'device_status_state'")
        let empty = try Bool.fetchOne(db.cachedStatement(sql: "SELECT NOT EXISTS (SELECT 1 FROM device_status)"))
        let identity = earlier.lazy.compactMap { ($0 as? IdentityProjection.Writer)?.fold }.first
        return Writer(
            db, flushInterval: flushInterval, createIndexesAtFinish: indexed != true, identity: identity,
            tableIsEmpty: empty ?? false)
    }

    /// Notes the streams that received events (``DeviceStatusFold``) and writes the recomputed rows when
    /// flushed.
    final class Writer: ProjectionWriter {
        private let db: Database
        private let fold: DeviceStatusFold
        /// The table was just reset: its indexes, and the `fleet_stats` aggregate, are built once it is full.
        /// Otherwise each flush writes the aggregate's deltas.
        private let createIndexesAtFinish: Bool

        private let applier: any ProjectionApplier

        init(
            _ db: Database, flushInterval: Int64, createIndexesAtFinish: Bool, identity: IdentityFold?,
            tableIsEmpty: Bool
        ) {
            self.db = db
            applier = SQLiteProjectionApplier(db: db)
            self.createIndexesAtFinish = createIndexesAtFinish
            fold = DeviceStatusFold(
                reader: SQLiteDeviceStatusState(db), flushInterval: flushInterval, identity: identity,
                tableIsEmpty: tableIsEmpty)
        }

        func apply(_ recorded: RecordedEvent) throws {
            fold.apply(recorded)
        }

        var needsFlush: Bool { fold.needsFlush }

        func flush() throws {
            try applier.apply(try fold.drain(), countingAggregate: !createIndexesAtFinish)
        }

        func finish() throws {
            if createIndexesAtFinish {
                try db.execute(sql: DeviceStatusProjection.indexes)
                try db.execute(sql: FleetStatsTables.createAndFill)
            }
        }

        func discardCaches() {
            fold.discard()
        }
    }
}
