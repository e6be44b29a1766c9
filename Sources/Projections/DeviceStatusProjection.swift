import EnrollmentDomain
import EventStore
import Foundation
import GRDB

/// The `device_status` projection: one row per enrollment (keyed by its canonical id), recomputed
/// from all the enrollment's events whenever one of its streams receives an event or its set changes.
///
/// It reads the identity tables, so it must come after ``IdentityProjection`` in the store's list. Work
/// is batched: `apply` only notes the stream; the enrollments noted are recomputed once at the end of
/// the transaction, or every ``flushThreshold`` streams during a bulk ingest or rebuild (bounded memory).
public final class DeviceStatusProjection: InlineProjection, @unchecked Sendable {
    // @unchecked: `dirty` is only touched under `lock`; GRDB serializes each store's writes, and the
    // streams are kept per connection so one instance may serve several stores.
    public let name = "device_status"
    /// Includes the identity projection's version: new identity rules rebuild this table too.
    public let version = 1_000 * IdentityProjection().version + 1
    /// How many noted streams trigger a recomputation before the transaction ends.
    public let flushThreshold: Int
    private let lock = NSLock()
    private var dirty: [ObjectIdentifier: Set<String>] = [:]

    public init(flushThreshold: Int = 10_000) {
        self.flushThreshold = flushThreshold
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
        CREATE INDEX device_status_first_seen ON device_status(first_seen);
        CREATE INDEX device_status_user ON device_status(user_key, first_seen);
        CREATE INDEX device_status_entra_user ON device_status(entra_user_id);
        """

    public func reset(_ db: Database) throws {
        _ = take(db)
        try db.execute(sql: "DROP TABLE IF EXISTS device_status")
        try db.execute(sql: Self.schema)
    }

    public func apply(_ recorded: RecordedEvent, _ db: Database) throws {
        var noted = [recorded.event.stream]
        if recorded.event.type == "account.signed_in", let aad = recorded.currentData.nonEmptyString("aad_user_id") {
            // A new Entra id → UPN mapping may give Graph-only enrollments their user and failure join.
            noted += try String.fetchAll(
                db.cachedStatement(sql: "SELECT stream FROM identity_userless WHERE aad_user_id = ?"),
                arguments: [aad])
        }
        let count = lock.withLock {
            dirty[ObjectIdentifier(db), default: []].formUnion(noted)
            return dirty[ObjectIdentifier(db)]!.count
        }
        if count >= flushThreshold { try flush(db) }
    }

    public func commit(_ db: Database) throws {
        try flush(db)
    }

    private func take(_ db: Database) -> Set<String> {
        lock.withLock { dirty.removeValue(forKey: ObjectIdentifier(db)) ?? [] }
    }

    /// Recomputes the enrollments of the noted streams.
    private func flush(_ db: Database) throws {
        let streams = take(db)
        guard !streams.isEmpty else { return }
        let graph = IdentityGraph(db: db)
        var roots: Set<String> = []
        for stream in streams {
            if let root = try graph.root(of: stream) { roots.insert(root) }
        }
        let reader = try StoredEventReader(db)
        for root in roots.sorted() {
            try recompute(root, graph: graph, reader: reader, db)
        }
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
