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
                guard
                    try await reader.count(
                        "SELECT count(*) FROM device_status WHERE enrollment = \(PostgresText.encode(after))") > 0
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
        // Every text is compared as stored (PostgresText), which keeps equality, order, "begins with" and
        // "ends with". A stored text holding U+0000 is a BLOB on SQLite (SQLText), which begins and ends with
        // no text (`GLOB`'s index range, `substr`): a prefix or suffix never matches one here either.
        if let given = filter.user?.trimmingCharacters(in: .whitespaces).lowercased(), !given.isEmpty {
            let user = PostgresText.encode(given)
            // A prefix of the UPN, or the Entra user id; a pattern character is matched as itself (as on
            // SQLite, where `*?[` make the lookup exact).
            if user.contains(where: { "*?[".contains($0) }) {
                add("(user_key = $ OR entra_user_id = $)", user, user)
            } else {
                add(
                    "((user_key LIKE $ ESCAPE '\\' AND \(Self.holdsNoNUL("user_key"))) OR entra_user_id = $)",
                    Self.likePrefix(user), user)
            }
        }
        if let given = filter.domain?.trimmingCharacters(in: .whitespaces).lowercased(), !given.isEmpty {
            let domain = PostgresText.encode(given)
            add("right(user_key, length($) + 1) = $ AND \(Self.holdsNoNUL("user_key"))", domain, "@" + domain)
        }
        if let model = filter.model {
            let folded = PostgresText.encode(Self.asciiLowercased(model.trimmingCharacters(in: .whitespaces)))
            add("\(Self.asciiFold("model")) = $", folded)
        }
        if let os = filter.osVersion?.trimmingCharacters(in: .whitespaces) {
            let stored = PostgresText.encode(os)
            add(
                "(os_version = $ OR (substr(os_version, 1, length($) + 1) = $ AND \(Self.holdsNoNUL("os_version"))))",
                stored, stored, stored + ".")
        }
        if let reason = filter.reason?.trimmingCharacters(in: .whitespaces) {
            let folded = PostgresText.encode(Self.asciiLowercased(reason))
            add(
                "(\(Self.asciiFold("failure_reason")) = $ OR \(Self.asciiFold("problem_reason")) = $)", folded,
                folded)
        }
        if let step = filter.step { add("step = $", step.rawValue) }
        if filter.conflicted { conditions.append("conflicts IS NOT NULL") }
        if let since = filter.since { add("first_seen >= $", since.milliseconds) }
        if let until = filter.until { add("first_seen < $", until.milliseconds) }
        if let after {
            let keys = Self.orderKeys(sort).joined(separator: ", ")
            add(
                "(\(keys)) \(sort.ascending ? ">" : "<") (SELECT \(keys) FROM device_status WHERE enrollment = $)",
                PostgresText.encode(after))
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
                ORDER BY \(Self.orderKeys(sort).map { "\($0) \(direction)" }.joined(separator: ", ")) LIMIT $\(next + 1)
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

    /// The order: SQLite's sort key, then the enrollment. Texts compare byte by byte, and one that holds
    /// U+0000 after every other: SQLite stores it as a BLOB (`SQLText`), and a BLOB sorts after every TEXT
    /// (the flag is false before true; a stored U+0000 is U+0001 U+0001, ``PostgresText``).
    private static func orderKeys(_ sort: DeviceSort) -> [String] {
        func text(_ expression: String) -> [String] {
            ["(strpos(\(expression), \(holdsNUL)) > 0)", "\(expression) COLLATE \"C\""]
        }
        return (sort == .user ? text(sort.key) : [sort.key]) + text("enrollment")
    }

    /// U+0000 as stored (``PostgresText``), as an SQL literal.
    static let holdsNUL = "E'\\x01\\x01'"

    /// The condition that `column` holds no U+0000.
    static func holdsNoNUL(_ column: String) -> String {
        "strpos(\(column), \(holdsNUL)) = 0"
    }

    /// `column` with the ASCII letters A–Z in lower case and nothing else folded: SQLite's NOCASE, where
    /// `lower()` would fold every letter (a filter differing from a value in a non-ASCII letter's case
    /// matches on neither backend).
    static func asciiFold(_ column: String) -> String {
        "translate(\(column), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    }

    /// `text` with the ASCII letters A–Z in lower case, as ``asciiFold(_:)`` folds a column.
    static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
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
