import EnrollmentDomain
import EventStore
import Foundation
import GRDB

/// The questions support staff and dashboards ask, answered from the projections of a store.
///
/// ```swift
/// let queries = EnrollmentQueries(store: store)
/// let joe = try queries.enrollments(matching: "joe@contoso.com")       // every enrollment of a user
/// let stuck = try queries.devices(DeviceFilter(state: .inProgress, stalledFor: 3600, limit: 50))
/// let story = try queries.timeline(for: "UE-81598a878e2f")              // any id of the enrollment
/// let fleet = try queries.stats(StatsQuery(byDay: true))
/// ```
///
/// Every method reads one consistent snapshot through the store's reader pool, and uses an index:
/// no method scans the log; `stats` reads a per-day aggregate (and `device_status` rows of at most two partial days).
public struct EnrollmentQueries: Sendable {
    public let store: SQLiteEventStore
    /// An `in_progress` enrollment whose last step is at least this old is stalled. The default is one hour.
    public var stalledAfterSeconds: Double

    public init(store: SQLiteEventStore, stalledAfterSeconds: Double = 3600) {
        self.store = store
        self.stalledAfterSeconds = stalledAfterSeconds
    }

    /// The enrollments an id names: any id of one enrollment (stream / attempt id, enrollment id, Intune or
    /// Entra device id, Graph correlation id) gives that enrollment; a UPN or an Entra user id gives all the
    /// user's enrollments. Oldest first.
    ///
    /// - Parameters:
    ///   - id: the id; UPNs are matched without regard to case.
    ///   - asOf: the time `stalled` is judged at (`nil`: now).
    /// - Returns: the enrollments, empty when the id is unknown.
    public func enrollments(matching id: String, asOf: Timestamp? = nil) throws -> [DeviceStatus] {
        let asOf = asOf ?? .currentTime
        return try store.read { db in
            var roots: [String] = []
            if let root = try root(of: id, db) { roots.append(root) }
            roots += try String.fetchAll(
                db,
                sql: """
                    SELECT enrollment FROM device_status WHERE user_key = ?
                    UNION SELECT enrollment FROM device_status WHERE entra_user_id = ?
                    """, arguments: [id.lowercased(), id])
            var seen: Set<String> = []
            let statuses = try roots.filter { seen.insert($0).inserted }.compactMap { root in
                try Row.fetchOne(db, sql: "SELECT * FROM device_status WHERE enrollment = ?", arguments: [root])
                    .map { try status(from: $0, asOf: asOf, db) }
            }
            return statuses.sorted { ($0.firstSeen, $0.enrollment) < ($1.firstSeen, $1.enrollment) }
        }
    }

    /// Enrollments matching `filter`, newest first (by first event).
    public func devices(_ filter: DeviceFilter = DeviceFilter()) throws -> [DeviceStatus] {
        let asOf = filter.asOf ?? .currentTime
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let state = filter.state {
            conditions.append("state = ?")
            arguments.append(state.rawValue)
        }
        if let user = filter.user {
            conditions.append("(user_key = ? OR entra_user_id = ?)")
            arguments += [user.lowercased(), user]
        }
        if let stalledFor = filter.stalledFor {
            conditions.append("state = 'in_progress' AND last_step_at <= ?")
            arguments.append(asOf.milliseconds - Int64(stalledFor * 1000))
        }
        if let since = filter.since {
            conditions.append("first_seen >= ?")
            arguments.append(since.milliseconds)
        }
        if let until = filter.until {
            conditions.append("first_seen < ?")
            arguments.append(until.milliseconds)
        }
        if let after = filter.after {
            conditions.append("(first_seen < ? OR (first_seen = ? AND enrollment < ?))")
            arguments += [after.firstSeen.milliseconds, after.firstSeen.milliseconds, after.enrollment]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(filter.limit.map(Int64.init) ?? -1)
        let sql = "SELECT * FROM device_status \(whereClause) ORDER BY first_seen DESC, enrollment DESC LIMIT ?"
        return try store.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map {
                try status(from: $0, asOf: asOf, db)
            }
        }
    }

    /// The troubleshooting timeline of the enrollments `id` names (see ``enrollments(matching:asOf:)``):
    /// every event of every linked stream, enrollment after enrollment (oldest first).
    ///
    /// - Returns: the entries, empty when the id is unknown.
    public func timeline(for id: String, asOf: Timestamp? = nil) throws -> [TimelineEntry] {
        try timeline(of: try enrollments(matching: id, asOf: asOf))
    }

    /// The troubleshooting timeline of enrollments already looked up (e.g. by ``enrollments(matching:asOf:)``),
    /// enrollment after enrollment in the order given.
    public func timeline(of statuses: [DeviceStatus]) throws -> [TimelineEntry] {
        try store.read { db in
            let reader = try StoredEventReader(db)
            return try statuses.flatMap { status in
                let streams = status.ids.filter { $0.kind == .stream }.map(\.value)
                return TimelineBuilder().entries(
                    enrollment: status.enrollment, events: try reader.events(inStreams: streams), status: status)
            }
        }
    }

    func root(of id: String, _ db: Database) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT root FROM identity_nodes WHERE id = ? AND kinds & ? != 0",
            arguments: [id, IdentityKinds.joinKey.rawValue - 1])
    }

    func status(from row: Row, asOf: Timestamp, _ db: Database) throws -> DeviceStatus {
        let enrollment: String = row["enrollment"]
        var ids: [EnrollmentIdentifier] = []
        for node in try Row.fetchAll(
            db, sql: "SELECT id, kinds FROM identity_nodes WHERE root = ?", arguments: [enrollment])
        {
            let kinds = IdentityKinds(rawValue: node[1])
            if kinds.contains(.stream) { ids.append(EnrollmentIdentifier(kind: .stream, value: node[0])) }
            for named in IdentityKinds.named where kinds.contains(named.kind) {
                ids.append(EnrollmentIdentifier(kind: named.public, value: node[0]))
            }
        }
        let state = EnrollmentState(rawValue: row["state"]) ?? .inProgress
        let lastStepAt = Timestamp(milliseconds: row["last_step_at"])
        let failure: EnrollmentFailure? = (row["failure_step"] as String?).flatMap(EnrollmentStep.init(rawValue:))
            .map { EnrollmentFailure(step: $0, reason: row["failure_reason"] ?? "unknown") }
        return DeviceStatus(
            enrollment: enrollment, ids: ids.sorted(), user: row["user"], entraUserID: row["entra_user_id"],
            state: state, step: (row["step"] as String?).flatMap(EnrollmentStep.init(rawValue:)), failure: failure,
            osVersion: row["os_version"], model: row["model"], firstSeen: Timestamp(milliseconds: row["first_seen"]),
            lastSeen: Timestamp(milliseconds: row["last_seen"]), lastStepAt: lastStepAt,
            timeToEnrollSeconds: (row["time_to_enroll_ms"] as Int64?).map { Double($0) / 1000 },
            events: row["events"],
            stalled: state == .inProgress
                && Double(asOf.milliseconds - lastStepAt.milliseconds) >= stalledAfterSeconds * 1000)
    }
}

/// Which enrollments ``EnrollmentQueries/devices(_:)`` lists.
public struct DeviceFilter: Sendable, Hashable {
    /// A UPN (any case) or an Entra user id. The default is any user.
    public var user: String?
    /// The default is any state.
    public var state: EnrollmentState?
    /// Only `in_progress` enrollments whose last step is at least this many seconds older than ``asOf``.
    public var stalledFor: Double?
    /// The time `stalled` is judged at (`nil`, the default: now).
    public var asOf: Timestamp?
    /// Only enrollments whose first event occurred at or after this time.
    public var since: Timestamp?
    /// Only enrollments whose first event occurred before this time.
    public var until: Timestamp?
    /// At most this many. The default is no limit.
    public var limit: Int?
    /// Keyset paging: only enrollments listed after this one (newest first). The default is from the start.
    public var after: DeviceCursor?

    public init(
        user: String? = nil, state: EnrollmentState? = nil, stalledFor: Double? = nil, asOf: Timestamp? = nil,
        since: Timestamp? = nil, until: Timestamp? = nil, limit: Int? = nil, after: DeviceCursor? = nil
    ) {
        self.after = after
        self.user = user
        self.state = state
        self.stalledFor = stalledFor
        self.asOf = asOf
        self.since = since
        self.until = until
        self.limit = limit
    }
}

extension Timestamp {
    /// The current time, in whole milliseconds.
    static var currentTime: Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
