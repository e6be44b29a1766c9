import EnrollmentDomain
import EventStore
import Foundation
import GRDB

extension EnrollmentQueries {
    /// Enrollments matching `filter`, in its order (newest first by default).
    ///
    /// With ``DeviceFilter/asOf``, a point-in-time view: the enrollments first seen by then, each as it
    /// stood then (``status(_:at:threshold:_:)``), the state and stall filters judged on that.
    public func devices(_ filter: DeviceFilter = DeviceFilter()) throws -> [DeviceStatus] {
        var statuses: [DeviceStatus] = []
        try forEachDevice(filter) { statuses.append($0) }
        return statuses
    }

    /// Calls `body` with each enrollment matching `filter`, in its order, as the rows are read: one read
    /// transaction, memory flat however many match (`devices --format …` streams through it).
    ///
    /// - Throws: ``DeviceQueryError`` when ``DeviceFilter/after`` names no enrollment; what `body` throws.
    public func forEachDevice(_ filter: DeviceFilter, _ body: (DeviceStatus) throws -> Void) throws {
        let asOf = filter.asOf ?? .currentTime
        let threshold = filter.stalledFor ?? stalledAfterSeconds
        let pointInTime = filter.asOf != nil
        try store.read { db in
            let query = try DeviceQuery(filter, asOf: asOf, pointInTime: pointInTime, db)
            let rows = try Row.fetchCursor(db, sql: query.sql, arguments: StatementArguments(query.arguments))
            var count = 0
            while count < filter.limit ?? .max, let row = try rows.next() {
                var status = try status(from: row, asOf: asOf, threshold: threshold, db)
                if pointInTime {
                    guard let then = try self.status(status, at: asOf, threshold: threshold, db),
                        ReadModelAssembly.matches(then, pointInTime: filter)
                    else { continue }
                    status = then
                }
                try body(status)
                count += 1
            }
        }
    }

    /// How many enrollments match `filter`, ignoring its ``DeviceFilter/after`` and ``DeviceFilter/limit``:
    /// the total a page of ``devices(_:)`` is part of. One `count(*)` over the same conditions; at a point
    /// in time (``DeviceFilter/asOf``) the enrollments are folded and counted one by one.
    public func deviceCount(_ filter: DeviceFilter) throws -> Int {
        var whole = filter
        whole.after = nil
        whole.limit = nil
        if filter.asOf != nil {
            var count = 0
            try forEachDevice(whole) { _ in count += 1 }
            return count
        }
        return try store.read { db in
            let query = try DeviceQuery(whole, asOf: .currentTime, pointInTime: false, db)
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM device_status \(query.whereClause)",
                arguments: StatementArguments(query.arguments)) ?? 0
        }
    }
}

/// The SQL of a device list: conditions, order, and the keyset of ``DeviceFilter/after``.
private struct DeviceQuery {
    var sql = ""
    /// `WHERE …` (or nothing): the conditions alone, for a count.
    var whereClause = ""
    var arguments: [(any DatabaseValueConvertible)?] = []

    init(_ filter: DeviceFilter, asOf: Timestamp, pointInTime: Bool, _ db: Database) throws {
        var conditions: [String] = []
        func add(_ condition: String, _ values: (any DatabaseValueConvertible)?...) {
            conditions.append(condition)
            arguments += values
        }
        if pointInTime { add("first_seen <= ?", asOf.milliseconds) }
        // At a point in time, state and stall are judged on the state then, after the fold.
        if let state = filter.state, !pointInTime { add("state = ?", state.rawValue) }
        if let stalledFor = filter.stalledFor, !pointInTime {
            add("state = 'in_progress' AND last_step_at <= ?", asOf.milliseconds - Int64(stalledFor * 1000))
        }
        if let user = filter.user?.trimmingCharacters(in: .whitespaces).lowercased(), !user.isEmpty {
            // A prefix of the UPN (`lea.haddad` finds lea.haddad@contoso.com), or the Entra user id.
            if user.contains(where: { "*?[".contains($0) }) {
                add("(user_key = ? OR entra_user_id = ?)", user, user)
            } else {
                add("(user_key GLOB ? OR entra_user_id = ?)", user + "*", user)
            }
        }
        if let domain = filter.domain?.trimmingCharacters(in: .whitespaces).lowercased(), !domain.isEmpty {
            add("substr(user_key, -length(?) - 1) = ?", domain, "@" + domain)
        }
        if let model = filter.model { add("model = ? COLLATE NOCASE", model.trimmingCharacters(in: .whitespaces)) }
        if let os = filter.osVersion?.trimmingCharacters(in: .whitespaces) {
            add("(os_version = ? OR substr(os_version, 1, length(?) + 1) = ?)", os, os, os + ".")
        }
        if let reason = filter.reason?.trimmingCharacters(in: .whitespaces) {
            add("(failure_reason = ? COLLATE NOCASE OR problem_reason = ? COLLATE NOCASE)", reason, reason)
        }
        if let step = filter.step { add("step = ?", step.rawValue) }
        if filter.conflicted { conditions.append("conflicts IS NOT NULL") }
        if let since = filter.since { add("first_seen >= ?", since.milliseconds) }
        if let until = filter.until { add("first_seen < ?", until.milliseconds) }
        let key = filter.sort.key
        if let after = filter.after {
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT \(key) AS key FROM device_status WHERE enrollment = ?", arguments: [after])
            else {
                throw DeviceQueryError.noEnrollment(after: after)
            }
            let value: DatabaseValue = row["key"]
            add("(\(key), enrollment) \(filter.sort.ascending ? ">" : "<") (?, ?)", value, after)
        }
        let direction = filter.sort.ascending ? "ASC" : "DESC"
        whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        sql = """
            SELECT \(DeviceStatusRow.columns) FROM device_status \(whereClause)
            ORDER BY \(key) \(direction), enrollment \(direction)
            """
    }
}

/// A device list cannot be read as asked (a `--after` that names no enrollment).
public struct DeviceQueryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }

    /// ``DeviceFilter/after`` names no enrollment.
    public static func noEnrollment(after: String) -> DeviceQueryError {
        DeviceQueryError(
            message: "no enrollment '\(after)' to continue after; pass the last enrollment of the page before")
    }
}

/// The order of a device list.
public enum DeviceSort: String, Sendable, Hashable, CaseIterable {
    /// Newest first by first event (the default).
    case firstSeen = "first-seen"
    /// Most recently active first.
    case lastSeen = "last-seen"
    /// Longest without a step first: the stalled queue, worst first.
    case lastStep = "last-step"
    /// By UPN, A to Z.
    case user

    /// The sort key's SQL expression (the same in SQLite and PostgreSQL).
    public var key: String {
        switch self {
        case .firstSeen: "first_seen"
        case .lastSeen: "last_seen"
        case .lastStep: "last_step_at"
        case .user: "coalesce(user_key, '')"
        }
    }

    /// Whether the order is ascending.
    public var ascending: Bool { self == .user || self == .lastStep }
}

/// Which enrollments ``EnrollmentQueries/devices(_:)`` lists, in which order, from where.
public struct DeviceFilter: Sendable, Hashable {
    /// A prefix of the UPN (any case: `lea.haddad` finds `lea.haddad@contoso.com`), or an Entra user id.
    /// The default is any user.
    public var user: String?
    /// The default is any state.
    public var state: EnrollmentState?
    /// Only stalled enrollments, with this threshold (in seconds) instead of the queries' own: `in_progress`
    /// with a last step at least this much older than ``asOf``. The rows' `stalled` flag uses it too.
    public var stalledFor: Double?
    /// A point in time (`nil`, the default: now): each enrollment as it stood then, from the events that
    /// had occurred (`occurred_at`) by then; enrollments first seen later are left out.
    public var asOf: Timestamp?
    /// Only enrollments whose first event occurred at or after this time.
    public var since: Timestamp?
    /// Only enrollments whose first event occurred before this time.
    public var until: Timestamp?
    /// Only this model (`iPhone15,2`, any case).
    public var model: String?
    /// Only this OS version or its updates (`17` matches `17.6.1`, `17.6` matches `17.6.1`, not `17.60`).
    public var osVersion: String?
    /// Only enrollments whose failure or latest problem has this reason (any case).
    public var reason: String?
    /// Only enrollments whose furthest step is this one.
    public var step: EnrollmentStep?
    /// Only users of this domain (`contoso.com`).
    public var domain: String?
    /// Only enrollments whose ids conflict (``IdentityConflict``). The default is `false`.
    public var conflicted = false
    /// The order. The default is ``DeviceSort/firstSeen``.
    public var sort: DeviceSort = .firstSeen
    /// Keyset paging: start after this enrollment (the last one of the previous page), in ``sort`` order.
    public var after: String?
    /// At most this many. The default is no limit.
    public var limit: Int?

    public init(
        user: String? = nil, state: EnrollmentState? = nil, stalledFor: Double? = nil, asOf: Timestamp? = nil,
        since: Timestamp? = nil, until: Timestamp? = nil, limit: Int? = nil
    ) {
        self.user = user
        self.state = state
        self.stalledFor = stalledFor
        self.asOf = asOf
        self.since = since
        self.until = until
        self.limit = limit
    }
}
