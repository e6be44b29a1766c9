import Foundation
import GRDB

/// A text value of the read models that reaches SQLite whole and comes back whole, U+0000 included.
///
/// GRDB binds a `String` as a C string (`sqlite3_bind_text(…, -1, …)`) and reads TEXT with
/// `String(cString:)`: a value from a device holding U+0000 was cut there, in the table and in every
/// lookup by it (two ids that differ only after the NUL were one). A value holding U+0000 is therefore
/// stored as a BLOB of its UTF-8 bytes, any other as TEXT as before; comparisons stay exact (a BLOB
/// equals only a BLOB of the same bytes). Columns written so are read back as `SQLText`, never `String`
/// (whose fast path reads a BLOB as a C string too).
struct SQLText: DatabaseValueConvertible, Hashable, Sendable {
    var value: String

    init(_ value: String) {
        self.value = value
    }

    var databaseValue: DatabaseValue {
        containsNUL ? Data(value.utf8).databaseValue : value.databaseValue
    }

    /// Whether the UTF-8 bytes hold a 0: one `memchr` over a native string's bytes (a byte loop over
    /// `utf8` was ~4% of a debug build's ingest, one check per bound text).
    private var containsNUL: Bool {
        value.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            return memchr(base, 0, bytes.count) != nil
        } ?? value.utf8.contains(0)
    }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> SQLText? {
        switch dbValue.storage {
        case .string(let text): SQLText(text)
        case .blob(let data): SQLText(String(decoding: data, as: UTF8.self))
        default: nil
        }
    }

    /// The argument for an optional text: `nil` stays NULL.
    static func argument(_ value: String?) -> DatabaseValue {
        value.map { SQLText($0).databaseValue } ?? .null
    }

    /// The texts of a one-column query.
    static func fetchAllValues(_ statement: Statement, arguments: StatementArguments) throws -> [String] {
        try fetchAll(statement, arguments: arguments).map(\.value)
    }
}

extension Row {
    /// A text column written with ``SQLText``, whole.
    func text(_ column: String) -> String? {
        (self[column] as SQLText?)?.value
    }

    /// A text column written with ``SQLText``, whole.
    func text(at index: Int) -> String? {
        (self[index] as SQLText?)?.value
    }
}
