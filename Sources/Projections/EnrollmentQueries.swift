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
                        db.cachedStatement(
                            sql: "SELECT \(DeviceStatusRow.columns) FROM device_status WHERE enrollment = ?"),
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
                ReadModelAssembly.timeline(
                    of: status, events: try reader.events(inStreams: ReadModelAssembly.streams(of: status)), asOf: asOf)
            }
        }
    }

    func root(of id: String, _ db: Database) throws -> String? {
        try SQLText.fetchOne(
            db.cachedStatement(sql: "SELECT root FROM identity_nodes WHERE id = ? AND kinds & ? != 0"),
            arguments: [SQLText(id), ReadModelAssembly.lookupKinds])?.value
    }

    /// The status of a row of ``DeviceStatusRow/columns`` (named: a connection that prepared `SELECT *`
    /// before a rebuild changed the table would read the old list of columns), with its identity nodes.
    func status(from row: Row, asOf: Timestamp, threshold: Double, _ db: Database) throws -> DeviceStatus {
        let row = DeviceStatusRow(row)
        let nodes = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, kinds FROM identity_nodes WHERE root = ?"),
            arguments: [SQLText(row.enrollment)]
        ).map { ReadModelAssembly.Node(id: $0.text(at: 0) ?? "", kinds: $0[1]) }
        return try ReadModelAssembly.status(row: row, nodes: nodes, asOf: asOf, threshold: threshold)
    }
}

extension Timestamp {
    /// The current time, in whole milliseconds.
    static var currentTime: Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
