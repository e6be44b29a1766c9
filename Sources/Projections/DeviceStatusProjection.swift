import EnrollmentDomain
import EventStore
import GRDB

/// The `device_status` projection: one row per enrollment (keyed by its canonical id), recomputed
/// from all the enrollment's events whenever one of its streams receives an event or its set changes.
///
/// It reads the identity tables, so it must come after ``IdentityProjection`` in the store's list. Work
/// is batched: `apply` only notes the stream; the enrollments noted are recomputed at the end of the
/// transaction, and every ``flushInterval`` events during a bulk ingest or rebuild (bounded memory).
/// Recomputing folds the enrollment's events from memory when the writer has seen every event of its
/// streams (streams that began in this transaction, or were read once already), and reads the others
/// from the log.
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
        let indexed = try Bool.fetchOne(
            db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = 'device_status_state'")
        return Writer(db, flushInterval: flushInterval, createIndexesAtFinish: indexed != true)
    }

    /// Notes the streams that received events and recomputes their enrollments in batches.
    final class Writer: ProjectionWriter {
        private let db: Database
        private let flushInterval: Int64
        private let graph: IdentityGraph
        /// The table was just reset: its indexes, and the `fleet_stats` aggregate, are built once it is full.
        /// Otherwise each flush writes the aggregate's deltas.
        private let createIndexesAtFinish: Bool
        private lazy var reader = Result { try StoredEventReader(db) }
        /// Streams whose enrollment must be recomputed.
        private var dirty: Set<String> = []
        private var appliedSinceFlush: Int64 = 0
        /// The last position applied. During a replay the log already holds later events; a stream read
        /// from the log keeps only what was applied, the rest arrives through `apply`.
        private var appliedThrough: Int64 = 0
        /// Every event of these streams so far: streams whose first event this writer applied, and
        /// streams read from the log once. Cleared when it holds more than ``cacheLimit`` events.
        private var eventsByStream: [String: [RecordedEvent]] = [:]
        private var cachedEvents = 0
        /// How many events the writer keeps in memory between flushes, at most about.
        static let cacheLimit = 20_000

        init(_ db: Database, flushInterval: Int64, createIndexesAtFinish: Bool) {
            self.db = db
            self.flushInterval = flushInterval
            self.createIndexesAtFinish = createIndexesAtFinish
            graph = IdentityGraph(db: db)
        }

        func apply(_ recorded: RecordedEvent) throws {
            let event = recorded.event
            appliedThrough = max(appliedThrough, recorded.position)
            dirty.insert(event.stream)
            if recorded.version == 1 {
                eventsByStream[event.stream] = [recorded]
                cachedEvents += 1
            } else if eventsByStream[event.stream] != nil {
                eventsByStream[event.stream]?.append(recorded)
                cachedEvents += 1
            }
            if event.type == "account.signed_in", let aad = recorded.currentData.nonEmptyString("aad_user_id") {
                // A new Entra id → UPN mapping may give Graph-only enrollments their user and failure join.
                let waiting = try SQLText.fetchAllValues(
                    db.cachedStatement(sql: "SELECT stream FROM identity_userless WHERE aad_user_id = ?"),
                    arguments: [SQLText(aad)])
                dirty.formUnion(waiting)
            }
            appliedSinceFlush += 1
        }

        func safePoint() throws {
            if appliedSinceFlush >= flushInterval { try flush() }
        }

        func finish() throws {
            try flush()
            if createIndexesAtFinish {
                try db.execute(sql: DeviceStatusProjection.indexes)
                try db.execute(sql: FleetStatsTables.createAndFill)
            }
        }

        func discardCaches() {
            // The noted streams stay noted: recomputing an enrollment that did not change is harmless.
            eventsByStream.removeAll()
            cachedEvents = 0
        }

        /// Recomputes the enrollments of the noted streams.
        private func flush() throws {
            appliedSinceFlush = 0
            guard !dirty.isEmpty else { return }
            let rootOf = try db.cachedStatement(sql: "SELECT root FROM identity_nodes WHERE id = ?")
            var roots: Set<String> = []
            for stream in dirty {
                if let root = try SQLText.fetchOne(rootOf, arguments: [SQLText(stream)]) { roots.insert(root.value) }
            }
            dirty.removeAll(keepingCapacity: true)
            var deltas = FleetStatsDeltas()
            for root in roots.sorted() {
                try recompute(root, &deltas)
            }
            if !createIndexesAtFinish { try deltas.write(db) }
            if cachedEvents > Self.cacheLimit { discardCaches() }
        }

        /// The streams of the enrollment whose root is `root`, and all their events: from memory where
        /// complete, else from the log.
        private func streamsAndEvents(of root: String) throws -> (streams: [String], events: [RecordedEvent]) {
            let members = try SQLText.fetchAllValues(
                db.cachedStatement(sql: "SELECT id FROM identity_nodes WHERE root = ? AND kinds & 1 = 1"),
                arguments: [SQLText(root)])
            var events: [RecordedEvent] = []
            var unread: [String] = []
            for member in members {
                if let cached = eventsByStream[member] { events += cached } else { unread.append(member) }
            }
            guard !unread.isEmpty else { return (members, events) }
            let read = try reader.get().events(inStreams: unread).filter { $0.position <= appliedThrough }
            for event in read {
                eventsByStream[event.event.stream, default: []].append(event)
            }
            cachedEvents += read.count
            return (members, events + read)
        }

        /// Replaces the enrollment's row, and notes in `deltas` the rows it deleted and the one it inserted.
        private func recompute(_ root: String, _ deltas: inout FleetStatsDeltas) throws {
            let (streams, events) = try streamsAndEvents(of: root)
            let status = try StatusFold(enrollment: root, events: events) { try graph.upns(ofAADUser: $0).first }
            // The rows of this enrollment: its own, and those of streams that were roots before a merge.
            let delete = try db.cachedStatement(
                sql: "DELETE FROM device_status WHERE enrollment = ? \(FleetStatsDeltas.returning)")
            for stream in streams {
                for row in try Row.fetchAll(delete, arguments: [SQLText(stream)]) {
                    deltas.add(FleetStatsDeltas.Row(row), sign: -1)
                }
            }
            guard status.events > 0 else { return }
            let inserted = FleetStatsDeltas.Row(
                firstSeen: status.firstSeen.milliseconds, state: status.state.rawValue,
                stepIndex: Int64(status.step?.index ?? -1), failureStep: status.failure?.step.rawValue,
                failureReason: status.failure?.reason, timeToEnrollMilliseconds: status.timeToEnrollMilliseconds)
            deltas.add(inserted, sign: 1)
            try db.cachedStatement(
                sql: """
                    INSERT INTO device_status (enrollment, user, user_key, entra_user_id, state, step, step_index,
                        failure_step, failure_reason, os_version, model, first_seen, last_seen, last_step_at,
                        enrolled_at, time_to_enroll_ms, events, problem_type, problem_reason, problem_at, conflicts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    SQLText(root), SQLText.argument(status.user), SQLText.argument(status.user?.lowercased()),
                    SQLText.argument(status.entraUserID), inserted.state, status.step?.rawValue, inserted.stepIndex,
                    inserted.failureStep, SQLText.argument(inserted.failureReason),
                    SQLText.argument(status.osVersion), SQLText.argument(status.model), inserted.firstSeen,
                    status.lastSeen.milliseconds, (status.lastStepAt ?? status.firstSeen).milliseconds,
                    status.enrolledAt?.milliseconds,
                    inserted.timeToEnrollMilliseconds, status.events, SQLText.argument(status.problem?.type),
                    SQLText.argument(status.problem?.reason), status.problem?.at.milliseconds,
                    SQLText.argument(IdentityConflict.column(status.conflicts)),
                ])
        }
    }
}
