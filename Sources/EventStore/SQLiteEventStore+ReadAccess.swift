import EnrollmentDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// Runs `body` in one read transaction of the store's reader pool: a consistent snapshot that
    /// never blocks the writer.
    ///
    /// For read models kept in the same file (projections query their own tables through it):
    ///
    /// ```swift
    /// let count = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM device_status") }
    /// ```
    ///
    /// - Throws: whatever `body` throws, or an ``EventStoreError`` naming this store.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try translatingErrors {
            try pool.read { db in try body(db) }
        }
    }
}

/// Reads stored events inside a database access that is already open: a projection's append
/// transaction, or a ``SQLiteEventStore/read(_:)`` closure.
///
/// It loads the store's payload dictionaries once, so create one per transaction or per batch of reads.
public struct StoredEventReader {
    private let db: Database
    private let decoder: EventRowDecoder

    /// - Throws: a database error when the dictionaries cannot be read.
    public init(_ db: Database) throws {
        self.db = db
        var dictionaries: [Int64: [UInt8]] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, bytes FROM payload_dictionaries")) {
            let bytes: Data = row[1]
            dictionaries[row[0]] = Array(bytes)
        }
        decoder = EventRowDecoder(codec: PayloadCodec(compression: .none, dictionaries: dictionaries))
    }

    /// Every event of the named streams, in position order. Names with no events are ignored.
    ///
    /// - Throws: ``EventStoreError`` with `undecodable` when a stored row is damaged.
    public func events(inStreams streams: some Collection<String>) throws -> [RecordedEvent] {
        guard !streams.isEmpty else { return [] }
        var events: [RecordedEvent] = []
        // SQLite limits bound parameters (32,766 by default): read long lists in slices.
        let names = Array(streams)
        for start in stride(from: 0, to: names.count, by: 500) {
            let slice = names[start..<min(start + 500, names.count)]
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
            // Cached per placeholder count: an enrollment has a handful of streams, so few statements.
            let statement = try db.cachedStatement(
                sql: "\(EventRowDecoder.selectColumns) WHERE s.name IN (\(marks)) ORDER BY e.position")
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(Array(slice)))
            while let row = try rows.next() {
                events.append(try decoder.decode(row).recorded)
            }
        }
        if names.count > 500 { events.sort { $0.position < $1.position } }
        return events
    }
}
