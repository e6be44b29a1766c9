import EnrollmentDomain
import EventStore
import GRDB

/// What ``DeviceStatusFold`` reads, from SQLite: the identity tables, `device_status` and the log.
final class SQLiteDeviceStatusState: DeviceStatusStateReading {
    private let db: Database
    private lazy var reader = Result { try StoredEventReader(db) }

    init(_ db: Database) {
        self.db = db
    }

    func root(of stream: String) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT root FROM identity_nodes WHERE id = ?"), arguments: [stream])
    }

    func streams(ofRoot root: String) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM identity_nodes WHERE root = ? AND kinds & 1 = 1"),
            arguments: [root])
    }

    func userlessStreams(ofAADUser aadUserID: String) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT stream FROM identity_userless WHERE aad_user_id = ?"),
            arguments: [aadUserID])
    }

    func upn(ofAADUser aadUserID: String) throws -> String? {
        try SQLiteIdentityState(db: db).upns(ofAADUser: aadUserID).first
    }

    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        let statement = try db.cachedStatement(
            sql: "SELECT \(DeviceStatusRow.columns) FROM device_status WHERE enrollment = ?")
        return try enrollments.compactMap { try Row.fetchOne(statement, arguments: [$0]).map(DeviceStatusRow.init) }
    }

    func events(inStreams streams: [String]) throws -> [RecordedEvent] {
        try reader.get().events(inStreams: streams)
    }
}

extension DeviceStatusRow {
    /// The columns of `device_status`, in the order of ``init(_:)`` and ``arguments``.
    static let columns = """
        enrollment, user, user_key, entra_user_id, state, step, step_index, failure_step, failure_reason, \
        os_version, model, first_seen, last_seen, last_step_at, enrolled_at, time_to_enroll_ms, events, \
        problem_type, problem_reason, problem_at, conflicts
        """

    init(_ row: Row) {
        self.init(
            enrollment: row[0], user: row[1], userKey: row[2], entraUserID: row[3], state: row[4], step: row[5],
            stepIndex: row[6], failureStep: row[7], failureReason: row[8], osVersion: row[9], model: row[10],
            firstSeen: row[11], lastSeen: row[12], lastStepAt: row[13], enrolledAt: row[14],
            timeToEnrollMilliseconds: row[15], events: row[16], problemType: row[17], problemReason: row[18],
            problemAt: row[19], conflicts: row[20])
    }

    var arguments: StatementArguments {
        [
            enrollment, user, userKey, entraUserID, state, step, stepIndex, failureStep, failureReason, osVersion,
            model, firstSeen, lastSeen, lastStepAt, enrolledAt, timeToEnrollMilliseconds, events, problemType,
            problemReason, problemAt, conflicts,
        ]
    }
}

extension DeviceStatusChanges {
    /// Applies the changes: each changed row once, in key order; then the aggregate's deltas, unless
    /// `countingAggregate` is false (a table being filled from empty, whose aggregate is built at the end).
    func write(_ db: Database, countingAggregate: Bool) throws {
        let placeholders = Array(repeating: "?", count: 21).joined(separator: ", ")
        let upsert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO device_status (\(DeviceStatusRow.columns)) VALUES (\(placeholders))
                """)
        let delete = try db.cachedStatement(sql: "DELETE FROM device_status WHERE enrollment = ?")
        for (enrollment, change) in rows.sorted {
            switch change {
            case .upsert(let row): try upsert.execute(arguments: row.arguments)
            case .delete: try delete.execute(arguments: [enrollment])
            }
        }
        if countingAggregate { try fleetStats.write(db) }
    }
}
