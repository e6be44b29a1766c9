import EnrollmentDomain
import Foundation
import GRDB

/// Appends events inside one write transaction of a ``SQLiteEventStore``.
///
/// Obtain one from ``SQLiteEventStore/write(_:)``; it is valid only inside that closure. It keeps the
/// chain head and a bounded cache of stream ids in memory, so a bulk ingest of millions of events in one
/// transaction runs in constant memory.
public final class EventAppender {
    let db: Database
    let codec: PayloadCodec
    let encoder: PayloadCodec.Encoder
    let projections: [any InlineProjection]
    private(set) var headPosition: Int64
    private(set) var headHash: [UInt8]
    private var streams: [String: (id: Int64, version: Int64)] = [:]
    private let clock: () -> Timestamp
    private let insertEvent: Statement
    private let findEventPosition: Statement
    private let findStream: Statement
    private let findStreamVersion: Statement
    private let insertStream: Statement
    /// How many streams the cache holds before it is cleared (bounded memory on huge ingests).
    static let streamCacheLimit = 200_000

    init(db: Database, codec: PayloadCodec, projections: [any InlineProjection], clock: @escaping () -> Timestamp)
        throws
    {
        self.db = db
        self.codec = codec
        self.encoder = codec.makeEncoder()
        self.projections = projections
        self.clock = clock
        insertEvent = try db.makeStatement(
            sql: """
                INSERT INTO events (position, event_id, stream_id, version, type, schema, occurred_at, recorded_at,
                    source, user, correlation_id, known_type, codec, dictionary_id, data_size, payload, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        findEventPosition = try db.makeStatement(sql: "SELECT position FROM events WHERE event_id = ?")
        findStream = try db.makeStatement(sql: "SELECT id FROM streams WHERE name = ?")
        findStreamVersion = try db.makeStatement(sql: "SELECT max(version) FROM events WHERE stream_id = ?")
        insertStream = try db.makeStatement(sql: "INSERT INTO streams(name) VALUES (?)")
        if let row = try Row.fetchOne(db, sql: "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1") {
            headPosition = row[0]
            headHash = Array(row[1] as Data)
        } else {
            headPosition = 0
            headHash = EventHashing.genesis
        }
    }

    /// The current version of `stream` (0 when it has no events).
    public func version(of stream: String) throws -> Int64 {
        try streamEntry(stream, create: false)?.version ?? 0
    }

    /// Validates and appends one event, or recognises it as a duplicate.
    ///
    /// - Parameters:
    ///   - event: the event. Known types are validated against the catalogue first.
    ///   - expectedVersion: when given, the stream's version must be exactly this before the append
    ///     (0: the stream must not exist yet).
    /// - Returns: where it was stored, or where its identical twin already is.
    /// - Throws: ``EventStoreError`` (`invalid_event`, `version_conflict`, `event_id_conflict`). The
    ///   caller's transaction is then rolled back by ``SQLiteEventStore/write(_:)``.
    @discardableResult
    public func append(_ event: NewEvent, expectedVersion: Int64? = nil) throws -> AppendOutcome {
        var idText: String { event.eventID.lowercasedString }
        do {
            try event.validateData()
        } catch {
            throw EventStoreError(.invalidEvent, error.description, stream: event.stream, eventID: idText)
        }
        let data = event.canonicalData
        let idBytes = event.eventID.bytes
        if let existing = try storedTwin(of: idBytes) {
            guard existing.event.hasSameEnvelope(as: event), existing.data == data else {
                throw EventStoreError(
                    .eventIDConflict, "this event id is already stored with different content",
                    stream: event.stream, position: existing.position, eventID: idText)
            }
            return .duplicate(position: existing.position)
        }
        let entry = try streamEntry(event.stream, create: true)!
        if let expectedVersion, expectedVersion != entry.version {
            throw EventStoreError(
                .versionConflict,
                "stream \(event.stream) is at version \(entry.version), but version \(expectedVersion) was expected",
                stream: event.stream, eventID: idText, expectedVersion: expectedVersion, actualVersion: entry.version)
        }
        let position = headPosition + 1
        let version = entry.version + 1
        let recordedAt = clock()
        let encoded = encoder.encode(data)
        let canonical = EventHashing.canonicalBytes(
            position: position, version: version, recordedAt: recordedAt, event: event, data: data)
        let hash = EventHashing.chain(previous: headHash, canonical: canonical)
        let arguments: [(any DatabaseValueConvertible)?] = [
            position, idBytes, entry.id, version, event.type, event.schema, event.occurredAt.milliseconds,
            recordedAt.milliseconds, event.source, event.user, event.correlationID, event.isKnownType,
            encoded.codec.rawValue, encoded.dictionaryID, data.count, Data(encoded.payload), Data(hash),
        ]
        try insertEvent.execute(arguments: StatementArguments(arguments))
        headPosition = position
        headHash = hash
        streams[event.stream] = (entry.id, version)
        if !projections.isEmpty {
            let recorded = RecordedEvent(
                position: position, version: version, recordedAt: recordedAt, hash: hash, event: event)
            for projection in projections {
                try projection.apply(recorded, db)
            }
        }
        return .appended(position: position)
    }

    /// Appends several events atomically within the transaction: all of them, or (when one throws)
    /// none, leaving the transaction usable for the next record.
    public func appendAll(_ events: [NewEvent]) throws -> [AppendOutcome] {
        if events.count == 1 { return [try append(events[0])] }
        let savedPosition = headPosition
        let savedHash = headHash
        var outcomes: [AppendOutcome] = []
        do {
            try db.inSavepoint {
                for event in events { outcomes.append(try append(event)) }
                return .commit
            }
        } catch {
            headPosition = savedPosition
            headHash = savedHash
            streams.removeAll(keepingCapacity: true)
            throw error
        }
        return outcomes
    }

    private func streamEntry(_ name: String, create: Bool) throws -> (id: Int64, version: Int64)? {
        if let cached = streams[name] { return cached }
        if streams.count >= Self.streamCacheLimit { streams.removeAll(keepingCapacity: true) }
        if let id = try Int64.fetchOne(findStream, arguments: [name]) {
            let version = try Int64.fetchOne(findStreamVersion, arguments: [id]) ?? 0
            streams[name] = (id, version)
            return (id, version)
        }
        guard create else { return nil }
        try insertStream.execute(arguments: [name])
        let entry = (id: db.lastInsertedRowID, version: Int64(0))
        streams[name] = entry
        return entry
    }

    private func storedTwin(of idBytes: Data) throws -> (position: Int64, event: NewEvent, data: [UInt8])? {
        // The common case, a new id, costs one index probe; only a hit decodes the stored event.
        guard try Int64.fetchOne(findEventPosition, arguments: [idBytes]) != nil else { return nil }
        let query = try db.cachedStatement(sql: "\(EventRowDecoder.selectColumns) WHERE e.event_id = ?")
        guard let row = try Row.fetchOne(query, arguments: [idBytes]) else { return nil }
        let stored = try EventRowDecoder(codec: codec).decode(row)
        return (stored.recorded.position, stored.recorded.event, stored.data)
    }
}

extension NewEvent {
    /// Whether every field but `data` matches (`data` is compared by its canonical bytes).
    func hasSameEnvelope(as other: NewEvent) -> Bool {
        eventID == other.eventID && stream == other.stream && type == other.type && schema == other.schema
            && occurredAt == other.occurredAt && source == other.source && user == other.user
            && correlationID == other.correlationID
    }
}
