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
    ///   - given: the id, trimmed; UPNs are matched without regard to case, other ids as given or in lower
    ///     or upper case.
    ///   - asOf: a point in time (`nil`: now): each enrollment as it stood then, from its events that had
    ///     occurred by then (``status(_:at:threshold:_:)``); enrollments with none are left out.
    /// - Returns: the enrollments, empty when the id is unknown.
    public func enrollments(matching given: String, asOf pointInTime: Timestamp? = nil) throws -> [DeviceStatus] {
        let asOf = pointInTime ?? .currentTime
        let id = given.trimmingCharacters(in: .whitespacesAndNewlines)
        return try store.read { db in
            var roots: [String] = []
            // As given, else in lower or upper case: Intune shows device GUIDs in capitals, the sources
            // write them in lower case.
            for candidate in [id, id.lowercased(), id.uppercased()] {
                if let root = try root(of: candidate, db) {
                    roots.append(root)
                    break
                }
            }
            roots += try SQLText.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT enrollment FROM device_status WHERE user_key = ?
                        UNION SELECT enrollment FROM device_status WHERE entra_user_id IN (?, ?)
                        """), arguments: [SQLText(id.lowercased()), SQLText(id), SQLText(id.lowercased())]
            ).map(\.value)
            var seen: Set<String> = []
            let statuses = try roots.filter { seen.insert($0).inserted }.map { root in
                guard
                    let row = try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT \(Self.columns) FROM device_status WHERE enrollment = ?"),
                        arguments: [SQLText(root)])
                else {
                    throw ReadModelError(enrollment: root, problem: "identity names it, but device_status has no row")
                }
                return try status(from: row, asOf: asOf, threshold: stalledAfterSeconds, db)
            }
            let dated =
                try pointInTime.map { time in
                    try statuses.compactMap { try status($0, at: time, threshold: stalledAfterSeconds, db) }
                } ?? statuses
            return dated.sorted { ($0.firstSeen, $0.enrollment) < ($1.firstSeen, $1.enrollment) }
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
    ///
    /// - Parameter asOf: a point in time: only the events that had occurred by then (`nil`: all).
    public func timeline(of statuses: [DeviceStatus], asOf: Timestamp? = nil) throws -> [TimelineEntry] {
        try store.read { db in
            let reader = try StoredEventReader(db)
            return try statuses.flatMap { status in
                let streams = status.ids.filter { $0.kind == .stream }.map(\.value)
                var events = try reader.events(inStreams: streams)
                if let asOf { events.removeAll { $0.event.occurredAt > asOf } }
                return TimelineBuilder().entries(enrollment: status.enrollment, events: events, status: status)
            }
        }
    }

    /// The `device_status` columns a status is read from, named: a connection that prepared `SELECT *`
    /// before a rebuild changed the table would read the old list of columns.
    static let columns = """
        enrollment, user, entra_user_id, state, step, failure_step, failure_reason, os_version, model, first_seen,
        last_seen, last_step_at, time_to_enroll_ms, events, problem_type, problem_reason, problem_at, conflicts
        """

    func root(of id: String, _ db: Database) throws -> String? {
        try SQLText.fetchOne(
            db.cachedStatement(sql: "SELECT root FROM identity_nodes WHERE id = ? AND kinds & ? != 0"),
            arguments: [SQLText(id), IdentityKinds.joinKey.rawValue - 1])?.value
    }

    func status(from row: Row, asOf: Timestamp, threshold: Double, _ db: Database) throws -> DeviceStatus {
        let enrollment = row.text("enrollment") ?? ""
        var ids: [EnrollmentIdentifier] = []
        for node in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, kinds FROM identity_nodes WHERE root = ?"),
            arguments: [SQLText(enrollment)])
        {
            let kinds = IdentityKinds(rawValue: node[1])
            let id = node.text(at: 0) ?? ""
            if kinds.contains(.stream) { ids.append(EnrollmentIdentifier(kind: .stream, value: id)) }
            for named in IdentityKinds.named where kinds.contains(named.kind) {
                ids.append(EnrollmentIdentifier(kind: named.public, value: id))
            }
        }
        func value<T: RawRepresentable>(_ column: String, as type: T.Type) throws -> T? where T.RawValue == String {
            guard let text = row[column] as String? else { return nil }
            guard let value = T(rawValue: text) else {
                throw ReadModelError(enrollment: enrollment, problem: "\(column) '\(text)' is not a known value")
            }
            return value
        }
        guard let state = try value("state", as: EnrollmentState.self) else {
            throw ReadModelError(enrollment: enrollment, problem: "state is empty")
        }
        guard ids.contains(where: { $0.kind == .stream }) else {
            throw ReadModelError(enrollment: enrollment, problem: "no stream of the log belongs to it")
        }
        let lastStepAt = Timestamp(milliseconds: row["last_step_at"])
        let stall = Self.stall(state: state, lastStepAt: lastStepAt, asOf: asOf, threshold: threshold)
        let failure = try value("failure_step", as: EnrollmentStep.self).map {
            EnrollmentFailure(step: $0, reason: row.text("failure_reason") ?? "unknown")
        }
        return DeviceStatus(
            enrollment: enrollment, ids: ids.sorted(), user: row.text("user"), entraUserID: row.text("entra_user_id"),
            state: state, step: try value("step", as: EnrollmentStep.self), failure: failure,
            osVersion: row.text("os_version"), model: row.text("model"),
            firstSeen: Timestamp(milliseconds: row["first_seen"]),
            lastSeen: Timestamp(milliseconds: row["last_seen"]), lastStepAt: lastStepAt,
            timeToEnrollSeconds: (row["time_to_enroll_ms"] as Int64?).map { Double($0) / 1000 },
            events: row["events"], stalled: stall != nil, stalledForSeconds: stall,
            lastProblem: row.text("problem_type").map {
                EnrollmentProblem(
                    type: $0, reason: row.text("problem_reason") ?? "unknown",
                    at: Timestamp(milliseconds: row["problem_at"] ?? 0))
            }, conflicts: try IdentityConflict.parse(row.text("conflicts"), enrollment: enrollment))
    }

    /// How long an `in_progress` enrollment has had no step as of `asOf`, when that is at least
    /// `threshold` seconds: the one definition of stalled. `nil`: not stalled.
    static func stall(state: EnrollmentState, lastStepAt: Timestamp, asOf: Timestamp, threshold: Double) -> Double? {
        let seconds = Double(asOf.milliseconds - lastStepAt.milliseconds) / 1000
        return state == .inProgress && seconds >= threshold ? seconds : nil
    }
}

extension Timestamp {
    /// The current time, in whole milliseconds.
    static var currentTime: Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
