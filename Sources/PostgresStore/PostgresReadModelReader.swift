import EnrollmentDomain
import EventStore
import PostgresNIO
import Projections

/// The reads of ``PostgresEnrollmentQueries`` on one connection inside its snapshot: `device_status` rows
/// with their identity nodes, events by stream, UPNs of Entra user ids. Texts are bound and read as
/// stored (``PostgresText``): ``strings(_:)`` and the rows give them back as they were given.
struct PostgresReadModelReader {
    let connection: PostgresConnection
    let logger: Logger

    /// The columns of `device_status` in the order of ``StatusRow/init(_:)``, then the row's identity
    /// nodes as two arrays (one statement: a connection runs one query at a time, and the nodes are
    /// needed while the rows are read). `"user"` is quoted: `user` alone is PostgreSQL's `current_user`.
    static let select = """
        SELECT enrollment, "user", user_key, entra_user_id, state, step, step_index, failure_step, failure_reason,
            os_version, model, first_seen, last_seen, last_step_at, enrolled_at, time_to_enroll_ms, events,
            problem_type, problem_reason, problem_at, conflicts,
            ARRAY(SELECT n.id FROM identity_nodes n WHERE n.root = d.enrollment ORDER BY n.id COLLATE "C"),
            ARRAY(SELECT n.kinds::bigint FROM identity_nodes n WHERE n.root = d.enrollment ORDER BY n.id COLLATE "C")
        FROM device_status d
        """

    /// A `device_status` row and its identity nodes, as read.
    struct StatusRow: Sendable {
        var row: DeviceStatusRow
        var nodes: [ReadModelAssembly.Node]

        init(_ postgresRow: PostgresRow) throws {
            let cells = postgresRow.makeRandomAccess()
            func text(_ index: Int) throws -> String? { PostgresText.decode(try cells[index].decode(String?.self)) }
            func integer(_ index: Int) throws -> Int64? { try cells[index].decode(Int64?.self) }
            let enrollment = try text(0) ?? ""
            guard let state = try text(4), let stepIndex = try integer(6), let firstSeen = try integer(11),
                let lastSeen = try integer(12), let lastStepAt = try integer(13), let events = try integer(16)
            else {
                throw ReadModelError(enrollment: enrollment, problem: "device_status has an empty required column")
            }
            row = DeviceStatusRow(
                enrollment: enrollment, user: try text(1), userKey: try text(2), entraUserID: try text(3),
                state: state, step: try text(5), stepIndex: stepIndex, failureStep: try text(7),
                failureReason: try text(8), osVersion: try text(9), model: try text(10), firstSeen: firstSeen,
                lastSeen: lastSeen, lastStepAt: lastStepAt, enrolledAt: try integer(14),
                timeToEnrollMilliseconds: try integer(15), events: events, problemType: try text(17),
                problemReason: try text(18), problemAt: try integer(19), conflicts: try text(20))
            let ids = try cells[21].decode([String].self).map { PostgresText.decode($0) }
            let kinds = try cells[22].decode([Int64].self)
            nodes = zip(ids, kinds).map { ReadModelAssembly.Node(id: $0, kinds: $1) }
        }

        func status(asOf: Timestamp, threshold: Double) throws -> DeviceStatus {
            try ReadModelAssembly.status(row: row, nodes: nodes, asOf: asOf, threshold: threshold)
        }
    }

    func rows(_ query: PostgresQuery) async throws -> [StatusRow] {
        var rows: [StatusRow] = []
        for try await row in try await connection.query(query, logger: logger) { rows.append(try StatusRow(row)) }
        return rows
    }

    func strings(_ query: PostgresQuery) async throws -> [String] {
        var values: [String] = []
        for try await value in try await connection.query(query, logger: logger).decode(String.self) {
            values.append(PostgresText.decode(value))
        }
        return values
    }

    func count(_ query: PostgresQuery) async throws -> Int {
        for try await value in try await connection.query(query, logger: logger).decode(Int64.self) {
            return Int(value)
        }
        return 0
    }

    /// The events of `streams`, in log order.
    func events(inStreams streams: [String]) async throws -> [RecordedEvent] {
        guard !streams.isEmpty else { return [] }
        return try await PostgresEventRow.fetch(
            """
            SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE stream = ANY(\(PostgresText.encode(streams)))
            ORDER BY position
            """, on: connection, logger: logger
        ).map(\.recorded)
    }

    /// `current` as it stood at `asOf` (``ReadModelAssembly/status(_:at:events:threshold:upnOf:)``). The
    /// fold asks for the UPN of an Entra user id synchronously: it runs once recording what it asks, and
    /// again with those UPNs read when it asked for any.
    func status(_ current: DeviceStatus, at asOf: Timestamp, threshold: Double) async throws -> DeviceStatus? {
        guard ReadModelAssembly.needsFold(current, at: asOf) else { return current.firstSeen <= asOf ? current : nil }
        let events = try await events(inStreams: ReadModelAssembly.streams(of: current))
        var asked: [String] = []
        let first = try ReadModelAssembly.status(current, at: asOf, events: events, threshold: threshold) {
            asked.append($0)
            return nil
        }
        guard !asked.isEmpty else { return first }
        var upns: [String: String] = [:]
        for id in asked where upns[id] == nil {
            upns[id] = try await strings(
                "SELECT upn FROM identity_user_ids WHERE aad_user_id = \(PostgresText.encode(id)) ORDER BY upn COLLATE \"C\" LIMIT 1"
            ).first
        }
        return try ReadModelAssembly.status(current, at: asOf, events: events, threshold: threshold) { upns[$0] }
    }

    /// Bindings of `values`, `$1…` in order.
    static func bindings(_ values: [any PostgresDynamicTypeEncodable]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }
}
