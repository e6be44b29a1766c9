import EnrollmentDomain
import Foundation
import GRDB

/// The end of the log: its last position and the chain hash there, the store's digest.
public struct StoreHead: Sendable, Hashable {
    /// The last position (0 for an empty store); equal to the number of events.
    public var position: Int64
    /// The chain hash at ``position`` (32 zero bytes for an empty store).
    public var hash: [UInt8]
    /// The hex form of ``hash``.
    public var digest: String { hash.hexString }

    public init(position: Int64, hash: [UInt8]) {
        self.position = position
        self.hash = hash
    }
}

extension SQLiteEventStore {
    /// The head of the log.
    public func head() throws -> StoreHead {
        try translatingErrors {
            try pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
                else { return StoreHead(position: 0, hash: EventHashing.genesis) }
                return StoreHead(position: row[0], hash: Array(row[1] as Data))
            }
        }
    }

    /// Every event of one stream, in stream order.
    public func events(inStream stream: String) throws -> [RecordedEvent] {
        try translatingErrors {
            try pool.read { db in
                let decoder = EventRowDecoder(codec: codec)
                let rows = try Row.fetchCursor(
                    db, sql: "\(EventRowDecoder.selectColumns) WHERE s.name = ? ORDER BY e.version", arguments: [stream]
                )
                var events: [RecordedEvent] = []
                while let row = try rows.next() {
                    events.append(try decoder.decode(row).recorded)
                }
                return events
            }
        }
    }

    /// The event with this id, or `nil`.
    public func event(id: UUID) throws -> RecordedEvent? {
        try translatingErrors {
            try pool.read { db in
                let row = try Row.fetchOne(
                    db, sql: "\(EventRowDecoder.selectColumns) WHERE e.event_id = ?", arguments: [id.bytes])
                return try row.map { try EventRowDecoder(codec: codec).decode($0).recorded }
            }
        }
    }

    /// Streams events in position order, from one consistent snapshot, in constant memory.
    ///
    /// - Parameters:
    ///   - position: start after this position (0: from the beginning).
    ///   - limit: stop after this many events (`nil`: to the end).
    ///   - body: called for each event; return `false` to stop early.
    public func forEachEvent(
        after position: Int64 = 0, limit: Int? = nil, _ body: (RecordedEvent) throws -> Bool
    ) throws {
        try forEachStoredEvent(after: position, limit: limit) { try body($0.recorded) }
    }

    /// Like ``forEachEvent(after:limit:_:)`` with the canonical data bytes as stored.
    func forEachStoredEvent(
        after position: Int64, limit: Int?, _ body: (EventRowDecoder.Decoded) throws -> Bool
    ) throws {
        try translatingErrors {
            try pool.read { db in
                try Self.forEachStoredEvent(db, codec: codec, after: position, limit: limit, body)
            }
        }
    }

    static func forEachStoredEvent(
        _ db: Database, codec: PayloadCodec, after position: Int64, limit: Int?,
        _ body: (EventRowDecoder.Decoded) throws -> Bool
    ) throws {
        let decoder = EventRowDecoder(codec: codec)
        let rows = try Row.fetchCursor(
            db, sql: "\(EventRowDecoder.selectColumns) WHERE e.position > ? ORDER BY e.position LIMIT ?",
            arguments: [position, limit.map(Int64.init) ?? -1])
        while let row = try rows.next() {
            guard try body(try decoder.decode(row)) else { return }
        }
    }
}
