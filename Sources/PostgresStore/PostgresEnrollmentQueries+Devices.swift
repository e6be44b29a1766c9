import EnrollmentDomain
import EventStore
import PostgresNIO
import Projections

extension PostgresEnrollmentQueries {
    public func forEachDevice(_ filter: DeviceFilter, _ body: (DeviceStatus) throws -> Void) async throws {
        let asOf = filter.asOf ?? PostgresEventStore.now()
        let threshold = filter.stalledFor ?? stalledAfterSeconds
        let pointInTime = filter.asOf != nil
        try await store.snapshot { connection in
            let reader = PostgresReadModelReader(connection: connection, logger: store.logger)
            if let after = filter.after {
                guard try await reader.count("SELECT count(*) FROM device_status WHERE enrollment = \(after)") > 0
                else {
                    throw DeviceQueryError.noEnrollment(after: after)
                }
            }
            let limit = filter.limit ?? .max
            var count = 0
            var after = filter.after
            while count < limit {
                let page = pointInTime ? pageSize : min(pageSize, limit - count)
                let query = PostgresDeviceQuery(filter, asOf: asOf, pointInTime: pointInTime, after: after)
                let rows = try await reader.rows(query.select(limit: page))
                for row in rows where count < limit {
                    var status = try row.status(asOf: asOf, threshold: threshold)
                    if pointInTime {
                        guard let then = try await reader.status(status, at: asOf, threshold: threshold),
                            ReadModelAssembly.matches(then, pointInTime: filter)
                        else { continue }
                        status = then
                    }
                    try body(status)
                    count += 1
                }
                guard rows.count == page, let last = rows.last else { break }
                after = last.row.enrollment
            }
        }
    }

    public func devices(_ filter: DeviceFilter = DeviceFilter()) async throws -> [DeviceStatus] {
        var statuses: [DeviceStatus] = []
        try await forEachDevice(filter) { statuses.append($0) }
        return statuses
    }

    public func deviceCount(_ filter: DeviceFilter) async throws -> Int {
        var whole = filter
        whole.after = nil
        whole.limit = nil
        if filter.asOf != nil {
            var count = 0
            try await forEachDevice(whole) { _ in count += 1 }
            return count
        }
        let query = PostgresDeviceQuery(whole, asOf: PostgresEventStore.now(), pointInTime: false, after: nil)
        return try await store.snapshot { connection in
            try await PostgresReadModelReader(connection: connection, logger: store.logger).count(query.count)
        }
    }
}

/// The SQL of a device list on PostgreSQL: the conditions of SQLite's, in PostgreSQL's words, the order,
/// and the keyset after an enrollment. Texts compare and sort byte by byte (`COLLATE "C"`), as SQLite's
/// BINARY does, so both backends list the same rows in the same order.
struct PostgresDeviceQuery {
    private var conditions: [String] = []
    private var binds = PostgresBindings()
    private var next = 0
    private let sort: DeviceSort

    init(_ filter: DeviceFilter, asOf: Timestamp, pointInTime: Bool, after: String?) {
        sort = filter.sort
        if pointInTime { add("first_seen <= $", asOf.milliseconds) }
        // At a point in time, state and stall are judged on the state then, after the fold.
        if let state = filter.state, !pointInTime { add("state = $", state.rawValue) }
        if let stalledFor = filter.stalledFor, !pointInTime {
            add("state = 'in_progress' AND last_step_at <= $", asOf.milliseconds - Int64(stalledFor * 1000))
        }
        if let user = filter.user?.trimmingCharacters(in: .whitespaces).lowercased(), !user.isEmpty {
            // A prefix of the UPN, or the Entra user id; a pattern character is matched as itself (as on
            // SQLite, where `*?[` make the lookup exact).
            if user.contains(where: { "*?[".contains($0) }) {
                add("(user_key = $ OR entra_user_id = $)", user, user)
            } else {
                add("(user_key LIKE $ ESCAPE '\\' OR entra_user_id = $)", Self.likePrefix(user), user)
            }
        }
        if let domain = filter.domain?.trimmingCharacters(in: .whitespaces).lowercased(), !domain.isEmpty {
            add("right(user_key, length($) + 1) = $", domain, "@" + domain)
        }
        if let model = filter.model {
            add("lower(model) = lower($)", model.trimmingCharacters(in: .whitespaces))
        }
        if let os = filter.osVersion?.trimmingCharacters(in: .whitespaces) {
            add("(os_version = $ OR substr(os_version, 1, length($) + 1) = $)", os, os, os + ".")
        }
        if let reason = filter.reason?.trimmingCharacters(in: .whitespaces) {
            add("(lower(failure_reason) = lower($) OR lower(problem_reason) = lower($))", reason, reason)
        }
        if let step = filter.step { add("step = $", step.rawValue) }
        if filter.conflicted { conditions.append("conflicts IS NOT NULL") }
        if let since = filter.since { add("first_seen >= $", since.milliseconds) }
        if let until = filter.until { add("first_seen < $", until.milliseconds) }
        if let after {
            let key = Self.sortKey(sort)
            add(
                "(\(key), enrollment COLLATE \"C\") \(sort.ascending ? ">" : "<") "
                    + "((SELECT \(key) FROM device_status WHERE enrollment = $), $)", after, after)
        }
    }

    /// `SELECT` of the rows and their nodes, at most `limit`.
    func select(limit: Int) -> PostgresQuery {
        let direction = sort.ascending ? "ASC" : "DESC"
        var binds = binds
        binds.append(Int64(limit))
        return PostgresQuery(
            unsafeSQL: """
                \(PostgresReadModelReader.select) \(whereClause)
                ORDER BY \(Self.sortKey(sort)) \(direction), enrollment COLLATE "C" \(direction) LIMIT $\(next + 1)
                """, binds: binds)
    }

    /// `count(*)` over the same conditions.
    var count: PostgresQuery {
        PostgresQuery(unsafeSQL: "SELECT count(*) FROM device_status \(whereClause)", binds: binds)
    }

    private var whereClause: String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    /// Appends `condition`, each `$` numbered in turn and bound to the next of `values`.
    private mutating func add(_ condition: String, _ values: any PostgresDynamicTypeEncodable...) {
        var numbered = ""
        var values = values.makeIterator()
        for character in condition {
            guard character == "$", let value = values.next() else {
                numbered.append(character)
                continue
            }
            next += 1
            numbered += "$\(next)"
            binds.append(value)
        }
        conditions.append(numbered)
    }

    /// The sort key: SQLite's expression, texts byte by byte.
    private static func sortKey(_ sort: DeviceSort) -> String {
        sort == .user ? "\(sort.key) COLLATE \"C\"" : sort.key
    }

    /// A LIKE pattern matching texts that begin with `prefix`, its `%`, `_` and `\` matched as themselves.
    static func likePrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}
