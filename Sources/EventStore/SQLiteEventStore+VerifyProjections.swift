import EnrollmentDomain
import Foundation
import GRDB

/// The outcome of rebuilding the projections into a scratch database and comparing them with the store's.
public struct ProjectionCheck: Sendable, Hashable {
    /// The first row where the stored read models and the rebuild disagree.
    public struct Difference: Sendable, Hashable, CustomStringConvertible {
        public var table: String
        /// The row's key, as `column=value` pairs (its primary key, else every column).
        public var key: String
        /// The differing column, or `nil` when the row is in one side only.
        public var column: String?
        /// The stored and rebuilt values (SQL literals), `nil` for a side that lacks the row.
        public var stored: String?
        public var rebuilt: String?

        public init(table: String, key: String, column: String? = nil, stored: String?, rebuilt: String?) {
            self.table = table
            self.key = key
            self.column = column
            self.stored = stored
            self.rebuilt = rebuilt
        }

        public var description: String {
            if let column {
                return
                    "table \(table), row \(key), column \(column): stored \(stored ?? "-"), rebuilt \(rebuilt ?? "-")"
            }
            return stored == nil
                ? "table \(table), row \(key): in a rebuild from the log, missing from the store"
                : "table \(table), row \(key): in the store, but not in a rebuild from the log"
        }
    }

    /// The tables compared and the rows read from the store's side.
    public var tables: [String] = []
    public var rows = 0
    public var difference: Difference?
    public var ok: Bool { difference == nil }

    public init() {}
}

extension SQLiteEventStore {
    /// The tables of the log itself; every other table of the file belongs to a projection.
    static let logTables: Set<String> = [
        "events", "streams", "payload_dictionaries", "projection_checkpoints", "merkle_nodes", "checkpoints",
        "grdb_migrations",
    ]

    /// Rebuilds every configured projection from the log into a scratch database and compares each
    /// projection table with the store's, row by row in key order: the first difference is reported.
    ///
    /// The scratch file (in `directory`, removed afterwards) attaches the store read-only, so the
    /// projections read the log as they do when they are rebuilt in place; memory stays bounded by
    /// the projections' caches, whatever the size of the log. One consistent snapshot of the store is
    /// read throughout, so a writer may run meanwhile.
    public func verifyProjections(
        scratchDirectory directory: URL = FileManager.default.temporaryDirectory, progress: ((Int64) -> Void)? = nil
    ) throws -> ProjectionCheck {
        let scratch = directory.appendingPathComponent("enroll-audit-verify-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: scratch + suffix)
            }
        }
        return try translatingErrors {
            let queue = try DatabaseQueue(path: scratch)
            defer { try? queue.close() }
            return try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = OFF")
                try db.execute(sql: "PRAGMA synchronous = OFF")
                try db.execute(
                    sql: "ATTACH DATABASE ? AS src",
                    arguments: [
                        "file:\(path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)?mode=ro"
                    ])
                var check = ProjectionCheck()
                try db.inTransaction(.deferred) {
                    check.tables = try String.fetchAll(
                        db,
                        sql: """
                            SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                            ORDER BY name
                            """
                    ).filter { !Self.logTables.contains($0) }
                    // A projection's unqualified `DROP TABLE IF EXISTS` must find the scratch table first,
                    // never the store's (attached read-only, it would fail): before a reset and before the
                    // writers finish (which may drop and re-create an aggregate), every projection table has
                    // a scratch table of its name.
                    func placeholders() throws {
                        let present = try Set(
                            String.fetchAll(db, sql: "SELECT name FROM main.sqlite_master WHERE type = 'table'"))
                        for table in check.tables where !present.contains(table) {
                            try db.execute(sql: "CREATE TABLE main.\(table.quotedDatabaseIdentifier) (placeholder)")
                        }
                    }
                    try placeholders()
                    for projection in configuration.projections { try projection.reset(db) }
                    let writers = try ProjectionWriters(configuration.projections, db)
                    try Self.forEachStoredEvent(db, codec: codec, after: 0, limit: nil) { stored in
                        try writers.apply(stored.recorded)
                        try writers.safePoint()
                        if stored.recorded.position & 0xFFFF == 0 { progress?(stored.recorded.position) }
                        return true
                    }
                    try placeholders()
                    try writers.finishWithoutCheckpoints()
                    try Self.compare(check.tables, db, into: &check)
                    return .rollback
                }
                return check
            }
        }
    }

    /// Compares the read models of two store files table by table, row by row in key order: `stored`,
    /// the tables as a backend keeps them (PostgreSQL's copied into a file of the SQLite schema), and
    /// `rebuilt`, a store whose projections were rebuilt from the same log. Both files are read only.
    public static func compareProjections(stored: String, rebuilt: String) throws -> ProjectionCheck {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: rebuilt, configuration: configuration)
            defer { try? queue.close() }
            return try queue.inDatabase { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [stored])
                var check = ProjectionCheck()
                check.tables = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                        ORDER BY name
                        """
                ).filter { !logTables.contains($0) }
                try compare(check.tables, db, into: &check)
                return check
            }
        } catch let error as DatabaseError {
            throw EventStoreError(.corrupt, "the read models could not be compared: \(error.message ?? "\(error)")")
        }
    }

    /// Compares `src.T` with `main.T` for each table `T`, stopping at the first difference.
    private static func compare(_ tables: [String], _ db: Database, into check: inout ProjectionCheck) throws {
        for table in tables {
            let (rows, difference) = try compare(table, db)
            check.rows += rows
            if let difference {
                check.difference = difference
                return
            }
        }
    }

    /// Walks `src.table` and `main.table` in key order side by side.
    private static func compare(_ table: String, _ db: Database) throws -> (Int, ProjectionCheck.Difference?) {
        let quoted = table.quotedDatabaseIdentifier
        let columns = try Row.fetchAll(db, sql: "PRAGMA src.table_info(\(quoted))")
        let names: [String] = columns.map { $0["name"] }
        var key = columns.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
            .map { $0["name"] as String }
        if key.isEmpty { key = names }
        let list = names.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let order = key.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let stored = try Row.fetchCursor(db, sql: "SELECT \(list) FROM src.\(quoted) ORDER BY \(order)")
        let rebuilt = try Row.fetchCursor(db, sql: "SELECT \(list) FROM main.\(quoted) ORDER BY \(order)")
        let keyIndexes = key.compactMap { names.firstIndex(of: $0) }
        func keyText(_ row: Row) -> String {
            keyIndexes.map { "\(names[$0])=\((row[$0] as DatabaseValue).sqlLiteral)" }.joined(separator: ", ")
        }
        func keyValues(_ row: Row) -> [DatabaseValue] { keyIndexes.map { row[$0] as DatabaseValue } }
        var rows = 0
        var left = try stored.next()
        var right = try rebuilt.next()
        while left != nil || right != nil {
            guard let a = left, let b = right, keyValues(a) == keyValues(b) else {
                // The side whose key sorts first holds a row the other lacks.
                var storedFirst = right == nil
                if let left, let right { storedFirst = try db.isBefore(keyValues(left), keyValues(right)) }
                let row = storedFirst ? left! : right!
                return (
                    rows,
                    .init(
                        table: table, key: keyText(row), column: nil, stored: storedFirst ? "present" : nil,
                        rebuilt: storedFirst ? nil : "present")
                )
            }
            for index in names.indices where (a[index] as DatabaseValue) != (b[index] as DatabaseValue) {
                return (
                    rows,
                    .init(
                        table: table, key: keyText(a), column: names[index],
                        stored: (a[index] as DatabaseValue).sqlLiteral,
                        rebuilt: (b[index] as DatabaseValue).sqlLiteral)
                )
            }
            rows += 1
            left = try stored.next()
            right = try rebuilt.next()
        }
        return (rows, nil)
    }
}

extension Database {
    /// Whether the key `a` sorts before `b` the way SQLite's ORDER BY sorts them.
    fileprivate func isBefore(_ a: [DatabaseValue], _ b: [DatabaseValue]) throws -> Bool {
        let marks = a.indices.map { _ in "?" }.joined(separator: ", ")
        return try Bool.fetchOne(self, sql: "SELECT (\(marks)) < (\(marks))", arguments: StatementArguments(a + b))
            ?? false
    }
}

extension DatabaseValue {
    /// `value` in double quotes, with quotes, backslashes and every control character (C0, DEL, C1)
    /// escaped: stored values may hold anything, and this text reaches a terminal.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x22: text += "\\\""
            case 0x5C: text += "\\\\"
            case 0..<0x20, 0x7F...0x9F: text += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    /// The value as an SQL literal, safe to print: strings quoted with control characters escaped.
    var sqlLiteral: String {
        switch storage {
        case .null: "NULL"
        case .int64(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): Self.quoted(value)
        case .blob(let data): "x'" + data.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }
}
