import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStore
import TestSupport

/// Copies a SQLite store's read-model rows into a PostgreSQL store's projection tables (the same names and
/// columns, migration 0002), replacing what they held: the same rows on both backends, so that a test of the
/// queries compares what each backend's query layer makes of them, whatever wrote them. Texts (and the
/// BLOBs SQLite keeps a text holding U+0000 in) go in as the store writes them (`PostgresText`).
enum ProjectionRowCopy {
    static let tables = [
        "identity_nodes", "identity_sets", "identity_user_ids", "identity_userless", "device_status", "fleet_stats",
        "fleet_stats_time_to_enroll",
    ]

    /// - Returns: how many rows were copied.
    @discardableResult
    static func copy(from sqlitePath: String, to database: PostgresCluster.Database) async throws -> Int {
        let source = try DatabaseQueue(
            path: sqlitePath,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())
        let logger = Logger(label: "test.projection-copy")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                unixSocketPath: "\(database.cluster.socketDirectory)/.s.PGSQL.\(database.cluster.port)",
                username: database.cluster.superuser, password: nil, database: database.name), id: 902, logger: logger)
        var copied = 0
        do {
            try await connection.query("BEGIN", logger: logger)
            for table in tables {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: logger)
                let rows = try source.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }
                for row in rows {
                    var binds = PostgresBindings()
                    for value in row.databaseValues {
                        switch value.storage {
                        case .null: binds.appendNull()
                        case .int64(let integer): binds.append(integer)
                        case .double(let double): binds.append(double)
                        case .string(let text): binds.append(PostgresText.encode(text))
                        case .blob(let data): binds.append(PostgresText.encode(String(decoding: data, as: UTF8.self)))
                        }
                    }
                    let columns = row.columnNames.map { "\"\($0)\"" }.joined(separator: ", ")
                    let marks = (1...row.count).map { "$\($0)" }.joined(separator: ", ")
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(columns)) VALUES (\(marks))", binds: binds),
                        logger: logger)
                    copied += 1
                }
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return copied
    }
}
