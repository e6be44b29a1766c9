import EnrollmentDomain
import Foundation
import GRDB

/// Every read-model table of a store as lines of text, one per row (`TABLE {canonical JSON of the row}`),
/// sorted: equal dumps mean equal read models, whichever backend holds them. SQLite's rows are read with
/// GRDB; PostgreSQL's with `psql` (`row_to_json`), independently of the store's own code.
public enum ProjectionDump {
    /// The tables of the read models, named alike on both backends.
    public static let tables = [
        "identity_nodes", "identity_sets", "identity_user_ids", "identity_userless", "device_status", "fleet_stats",
        "fleet_stats_time_to_enroll",
    ]

    /// The read models of the SQLite store file at `path`.
    public static func sqlite(_ path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try sqlite(db) }
    }

    /// The read models of a SQLite database.
    public static func sqlite(_ db: Database) throws -> [String] {
        var lines: [String] = []
        for table in tables {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") {
                var members: [String: JSONValue] = [:]
                for (column, value) in row {
                    switch value.storage {
                    case .null: members[column] = .null
                    case .int64(let integer): members[column] = .int(integer)
                    case .double(let double): members[column] = .string("\(double)")
                    case .string(let text): members[column] = .string(text)
                    case .blob(let data): members[column] = .string(String(decoding: data, as: UTF8.self))
                    }
                }
                lines.append("\(table) \(JSONValue.object(members).canonicalString)")
            }
        }
        return lines.sorted()
    }

    /// The read models of a PostgreSQL database, read as the superuser, their texts decoded
    /// (``decodedPostgresText(_:)``).
    public static func postgres(_ database: PostgresCluster.Database) throws -> [String] {
        var lines: [String] = []
        for table in tables {
            let output = try database.cluster.psql(
                "SELECT row_to_json(t)::text FROM \(table) t", database: database.name)
            for line in output.split(separator: "\n") where !line.isEmpty {
                lines.append("\(table) \(decodingTexts(try JSONParser.parse(String(line))).canonicalString)")
            }
        }
        return lines.sorted()
    }

    /// A text as the PostgreSQL store holds it, decoded as docs/postgres.md ("U+0000") describes: U+0001
    /// U+0001 is U+0000, U+0001 U+0002 is U+0001 (written here from the description, apart from the
    /// store's code, so that the tests check the one against the other).
    public static func decodedPostgresText(_ stored: String) -> String {
        var scalars = String.UnicodeScalarView()
        var iterator = stored.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\u{1}" else {
                scalars.append(scalar)
                continue
            }
            switch iterator.next() {
            case "\u{1}": scalars.append("\u{0}")
            case "\u{2}": scalars.append("\u{1}")
            case let other?: scalars.append(contentsOf: ["\u{1}", other])
            case nil: scalars.append("\u{1}")
            }
        }
        return String(scalars)
    }

    private static func decodingTexts(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(decodedPostgresText(text))
        case .array(let values): .array(values.map(decodingTexts))
        case .object(let members): .object(members.mapValues(decodingTexts))
        default: value
        }
    }
}
