import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import PostgresNIO
import Projections

extension PostgresEventStore {
    /// Rebuilds the read models from the log and compares them with the store's tables, row by row in key
    /// order: the first difference is reported (``ProjectionCheck``), as `verify --projections` does on SQLite.
    ///
    /// In one REPEATABLE READ READ ONLY transaction (one snapshot, so writers may run meanwhile, and a hot
    /// standby serves it), the log is replayed page by page into a scratch SQLite store of `directory` with
    /// the projections (the same folds that keep the tables here), then the stored tables are copied into a
    /// second scratch file of the rebuild's schema, and the two are compared
    /// (``SQLiteEventStore/compareProjections(stored:rebuilt:)``). Both files are removed afterwards; memory
    /// stays bounded by a page of events or rows.
    public func verifyProjections(
        scratchDirectory directory: URL = FileManager.default.temporaryDirectory,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> ProjectionCheck {
        let stem = directory.appendingPathComponent("enroll-audit-verify-\(UUID().uuidString)").path
        let rebuiltPath = stem + "-rebuilt.sqlite"
        let storedPath = stem + "-stored.sqlite"
        defer {
            for path in [rebuiltPath, storedPath] {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    try? FileManager.default.removeItem(atPath: path + suffix)
                }
            }
        }
        var configuration = StoreConfiguration()
        configuration.durability = .normal
        configuration.projections = ProjectionSet.all
        let rebuilt = try SQLiteEventStore.opening(path: rebuiltPath, configuration: configuration, logger: logger)
        let stored = try DatabaseQueue(path: storedPath)
        let absent: String? = try await transaction(readOnly: true) { [self] connection in
            var after: Int64 = 0
            while true {
                let page = try await PostgresEventRow.page(after: after, limit: 4096, on: connection, logger: logger)
                guard let last = page.last else { break }
                try await rebuilt.log.appendVerbatim(page)
                after = last.position
                progress?(after)
            }
            return try await Self.copyReadModels(connection, logger: logger, rebuilt: rebuiltPath, into: stored)
        }
        try stored.close()
        if let absent {
            var check = ProjectionCheck()
            check.difference = .init(table: absent, key: "(any)", stored: "present", rebuilt: nil)
            return check
        }
        return try SQLiteEventStore.compareProjections(stored: storedPath, rebuilt: rebuiltPath)
    }

    /// Copies the read models' tables into `stored`, each created as the rebuild's table of its name (the
    /// SQLite schema), a page of rows per write. Returns the name of a table that holds rows here but does
    /// not exist in the rebuild (the log is empty), or `nil`.
    private static func copyReadModels(
        _ connection: PostgresConnection, logger: Logger, rebuilt: String, into stored: DatabaseQueue
    ) async throws -> String? {
        var readOnly = Configuration()
        readOnly.readonly = true
        let schema = try DatabaseQueue(path: rebuilt, configuration: readOnly)
        let tables = try await schema.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table'").map { row in
                let name: String = row["name"]
                let sql: String = row["sql"]
                return (name: name, sql: sql, columns: try db.columns(in: name).map(\.name))
            }
        }
        try schema.close()
        for table in projectionTables where table != "projection_checkpoints" {
            guard let definition = tables.first(where: { $0.name == table }) else {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger
                ).collect()
                if !rows.isEmpty { return table }
                continue
            }
            try await stored.write { db in try db.execute(sql: definition.sql) }
            let quoted = definition.columns.map { "\"\($0)\"" }
            let insert =
                "INSERT INTO \(table) (\(quoted.joined(separator: ", "))) VALUES (\(quoted.map { _ in "?" }.joined(separator: ", ")))"
            var page: [[DatabaseValue]] = []
            func write() async throws {
                let rows = page
                page.removeAll(keepingCapacity: true)
                try await stored.write { db in
                    let statement = try db.cachedStatement(sql: insert)
                    for row in rows { try statement.execute(arguments: StatementArguments(row)) }
                }
            }
            for try await row in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(quoted.joined(separator: ", ")) FROM \(table)"), logger: logger)
            {
                page.append(try row.map(Self.databaseValue))
                if page.count == 4096 { try await write() }
            }
            try await write()
        }
        return nil
    }

    /// A cell of a read model's table as SQLite holds it: NULL, an integer, or a text (as it was given:
    /// ``PostgresText``).
    private static func databaseValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return try cell.decode(Int64.self).databaseValue
        default:
            // As the rebuild's tables hold it: a text holding U+0000 as a BLOB of its bytes (`SQLText`).
            let text = PostgresText.decode(try cell.decode(String.self))
            return text.utf8.contains(0) ? Data(text.utf8).databaseValue : text.databaseValue
        }
    }
}
