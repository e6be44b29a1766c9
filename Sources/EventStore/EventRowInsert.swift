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
        var hash: [UInt8]
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
        withUnsafeBytes(of: row.eventID.uuid) { bindBlob($0, at: 2) }
        sqlite3_bind_int64(handle, 3, row.streamID)
        sqlite3_bind_int64(handle, 4, row.version)
        bindText(event.type, at: 5)
        sqlite3_bind_int64(handle, 6, Int64(event.schema))
        sqlite3_bind_int64(handle, 7, event.occurredAt.milliseconds)
        sqlite3_bind_int64(handle, 8, row.recordedAt.milliseconds)
        bindText(event.source, at: 9)
        if let user = event.user { bindText(user, at: 10) }
        if let correlationID = event.correlationID { bindText(correlationID, at: 11) }
        sqlite3_bind_int64(handle, 12, event.isKnownType ? 1 : 0)
        sqlite3_bind_int64(handle, 13, row.encoded.codec.rawValue)
        if let dictionaryID = row.encoded.dictionaryID { sqlite3_bind_int64(handle, 14, dictionaryID) }
        sqlite3_bind_int64(handle, 15, Int64(row.dataSize))
        row.encoded.payload.withUnsafeBytes { bindBlob($0, at: 16) }
        row.hash.withUnsafeBytes { bindBlob($0, at: 17) }
        try Self.step(statement, in: db)
        return db.changesCount > 0
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

    private func bindText(_ text: String, at index: Int32) {
        var text = text
        text.withUTF8 { buffer in
            // An empty buffer may have no address, which SQLite would bind as NULL.
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                sqlite3_bind_text(statement.sqliteStatement, index, "", 0, sqliteTransient)
                return
            }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                _ = sqlite3_bind_text(statement.sqliteStatement, index, chars, Int32(buffer.count), sqliteTransient)
            }
        }
    }

    private func bindBlob(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        if let base = bytes.baseAddress, !bytes.isEmpty {
            sqlite3_bind_blob(statement.sqliteStatement, index, base, Int32(bytes.count), sqliteTransient)
        } else {
            sqlite3_bind_zeroblob(statement.sqliteStatement, index, 0)
        }
    }
}

/// Tells SQLite to copy a bound string or blob before the call returns.
var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
