import EnrollmentDomain
import Foundation
import GRDB
import GRDBSQLite

/// The `INSERT` of one event row, bound column by column with the SQLite C API.
///
/// The bulk-ingest hot path: binding through GRDB's `StatementArguments` boxes every value into an
/// existential per row. Here each column is bound in place (SQLite copies strings and blobs), the
/// statement is stepped once and reset. An event whose id is already stored is skipped
/// (`ON CONFLICT(event_id) DO NOTHING`), which ``insert(_:)`` reports as `false`.
struct EventRowInsert {
    /// What one row holds, in column order.
    struct Row {
        var position: Int64
        var eventID: UUID
        var streamID: Int64
        var version: Int64
        var event: NewEvent
        var recordedAt: Timestamp
        var encoded: PayloadCodec.Encoded
        var dataSize: Int
        var hash: Digest32
    }

    private let db: Database
    private let statement: Statement

    init(_ db: Database) throws {
        self.db = db
        statement = try db.cachedStatement(
            sql: """
                INSERT INTO events (position, event_id, stream_id, version, type, schema, occurred_at, recorded_at,
                    source, user, correlation_id, known_type, codec, dictionary_id, data_size, payload, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(event_id) DO NOTHING
                """)
    }

    /// Inserts `row`.
    ///
    /// Strings and blobs are bound in place, without SQLite's copy (`SQLITE_STATIC`): each buffer is
    /// borrowed for as long as the step runs, and the bindings are cleared before the buffers go.
    ///
    /// - Returns: `false` when an event with the same id is already stored (nothing was written).
    /// - Throws: `DatabaseError` for any other failure (constraint, disk full, …).
    func insert(_ row: Row) throws -> Bool {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let event = row.event
        sqlite3_bind_int64(handle, 1, row.position)
        sqlite3_bind_int64(handle, 3, row.streamID)
        sqlite3_bind_int64(handle, 4, row.version)
        sqlite3_bind_int64(handle, 6, Int64(event.schema))
        sqlite3_bind_int64(handle, 7, event.occurredAt.milliseconds)
        sqlite3_bind_int64(handle, 8, row.recordedAt.milliseconds)
        sqlite3_bind_int64(handle, 12, event.isKnownType ? 1 : 0)
        sqlite3_bind_int64(handle, 13, row.encoded.codec.rawValue)
        if let dictionaryID = row.encoded.dictionaryID { sqlite3_bind_int64(handle, 14, dictionaryID) }
        sqlite3_bind_int64(handle, 15, Int64(row.dataSize))
        var type = event.type
        var source = event.source
        var user = event.user
        var correlationID = event.correlationID
        return try withUnsafeBytes(of: row.eventID.uuid) { id in
            try type.withUTF8 { type in
                try source.withUTF8 { source in
                    try Self.withUTF8(&user) { user in
                        try Self.withUTF8(&correlationID) { correlationID in
                            try row.encoded.payload.withUnsafeBytes { payload in
                                try row.hash.withUnsafeBytes { hash in
                                    bind(UnsafeRawBufferPointer(id), at: 2)
                                    bindText(type, at: 5)
                                    bindText(source, at: 9)
                                    if let user { bindText(user, at: 10) }
                                    if let correlationID { bindText(correlationID, at: 11) }
                                    bind(payload, at: 16)
                                    bind(hash, at: 17)
                                    try Self.step(statement, in: db)
                                    return db.changesCount > 0
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` with the UTF-8 of `text`, or with `nil` when there is none.
    private static func withUTF8<T>(
        _ text: inout String?, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T
    ) rethrows -> T {
        guard text != nil else { return try body(nil) }
        return try text!.withUTF8 { try body($0) }
    }

    /// Steps a bound INSERT once, throwing SQLite's error (with its extended code) when it fails.
    static func step(_ statement: Statement, in db: Database) throws {
        let code = sqlite3_step(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            let connection = db.sqliteConnection
            throw DatabaseError(
                resultCode: ResultCode(rawValue: connection.map(sqlite3_extended_errcode) ?? code),
                message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
        }
    }

    /// Binds UTF-8 text in place (see ``insert(_:)``).
    private func bindText(_ text: UnsafeBufferPointer<UInt8>, at index: Int32) {
        // An empty buffer may have no address, which SQLite would bind as NULL.
        guard let base = text.baseAddress, !text.isEmpty else {
            sqlite3_bind_text(statement.sqliteStatement, index, "", 0, sqliteTransient)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: text.count) { chars in
            _ = sqlite3_bind_text(statement.sqliteStatement, index, chars, Int32(text.count), sqliteStatic)
        }
    }

    /// Binds a blob in place (see ``insert(_:)``).
    private func bind(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        if let base = bytes.baseAddress, !bytes.isEmpty {
            sqlite3_bind_blob(statement.sqliteStatement, index, base, Int32(bytes.count), sqliteStatic)
        } else {
            sqlite3_bind_zeroblob(statement.sqliteStatement, index, 0)
        }
    }
}

/// Tells SQLite to copy a bound string or blob before the call returns.
var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}

/// Tells SQLite that a bound string or blob stays valid and unchanged until it is rebound or cleared.
let sqliteStatic: sqlite3_destructor_type? = nil
