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
        try SQLText.fetchOne(
            db.cachedStatement(sql: "SELECT root FROM identity_nodes WHERE id = ?"), arguments: [SQLText(stream)]
        )?.value
    }

    func streams(ofRoot root: String) throws -> [String] {
        try SQLText.fetchAllValues(
            db.cachedStatement(sql: "SELECT id FROM identity_nodes WHERE root = ? AND kinds & 1 = 1"),
            arguments: [SQLText(root)])
    }

    func userlessStreams(ofAADUser aadUserID: String) throws -> [String] {
        try SQLText.fetchAllValues(
            db.cachedStatement(sql: "SELECT stream FROM identity_userless WHERE aad_user_id = ?"),
            arguments: [SQLText(aadUserID)])
    }

    func upn(ofAADUser aadUserID: String) throws -> String? {
        try SQLiteIdentityState(db: db).upns(ofAADUser: aadUserID).first
    }

    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        let statement = try db.cachedStatement(
            sql: "SELECT \(DeviceStatusRow.columns) FROM device_status WHERE enrollment = ?")
        return try enrollments.compactMap {
            try Row.fetchOne(statement, arguments: [SQLText($0)]).map(DeviceStatusRow.init)
        }
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

    /// A row read with ``columns``; the texts that come from devices are read whole (``SQLText``).
    init(_ row: Row) {
        self.init(
            enrollment: row.text(at: 0) ?? "", user: row.text(at: 1), userKey: row.text(at: 2),
            entraUserID: row.text(at: 3), state: row[4], step: row[5], stepIndex: row[6], failureStep: row[7],
            failureReason: row.text(at: 8), osVersion: row.text(at: 9), model: row.text(at: 10), firstSeen: row[11],
            lastSeen: row[12], lastStepAt: row[13], enrolledAt: row[14], timeToEnrollMilliseconds: row[15],
            events: row[16], problemType: row.text(at: 17), problemReason: row.text(at: 18), problemAt: row[19],
            conflicts: row.text(at: 20))
    }

    /// The values of ``columns``; the texts that come from devices are bound whole (``SQLText``).
    var arguments: StatementArguments {
        [
            SQLText(enrollment), SQLText.argument(user), SQLText.argument(userKey), SQLText.argument(entraUserID),
            state, step, stepIndex, failureStep, SQLText.argument(failureReason), SQLText.argument(osVersion),
            SQLText.argument(model), firstSeen, lastSeen, lastStepAt, enrolledAt, timeToEnrollMilliseconds, events,
            SQLText.argument(problemType), SQLText.argument(problemReason), problemAt, SQLText.argument(conflicts),
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
            case .delete: try delete.execute(arguments: [SQLText(enrollment)])
            }
        }
        if countingAggregate { try fleetStats.write(db) }
    }
}
