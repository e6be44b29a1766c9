import EnrollmentDomain
import Foundation
import GRDB

/// Appends events inside one write transaction of a ``SQLiteEventStore``.
///
/// Obtain one from ``SQLiteEventStore/write(_:)``; it is valid only inside that closure. It keeps the
/// chain head, the right edge of the Merkle tree and a bounded cache of stream ids in memory, so a bulk ingest of millions of events in one
/// transaction runs in constant memory.
public final class EventAppender {
    let db: Database
    let codec: PayloadCodec
    /// Prepares the events handed to ``append(_:expectedVersion:)-(NewEvent,_)`` unprepared.
    let preparer: EventPreparer
    /// The bytes of the hashes' last pieces, reused from event to event.
    private var scratch: [UInt8] = []
    /// The inline projections' writers for this transaction.
    let projections: ProjectionWriters
    private(set) var headPosition: Int64
    private(set) var headHash: Digest32
    /// The Merkle tree's right edge, read on the first append of the transaction.
    let tree: MerkleTreeWriter
    private var streams: [String: (id: Int64, version: Int64)] = [:]
    /// Whether ``appendAll(_:)`` has a savepoint open (projections defer their work until it closes).
    private var inSavepoint = false
    private let clock: () -> Timestamp
    private let insertEvent: EventRowInsert
    private let findEventPosition: Statement
    private let findStream: Statement
    private let findStreamVersion: Statement
    private let insertStream: Statement
    /// How many streams the cache holds before it is cleared (bounded memory on huge ingests).
    static let streamCacheLimit = 50_000

    init(db: Database, codec: PayloadCodec, projections: [any InlineProjection], clock: @escaping () -> Timestamp)
        throws
    {
        self.db = db
        self.codec = codec
        self.preparer = EventPreparer(encoder: codec.makeEncoder())
        scratch.reserveCapacity(512)
        self.clock = clock
        insertEvent = try EventRowInsert(db)
        tree = try MerkleTreeWriter(db)
        findEventPosition = try db.cachedStatement(sql: "SELECT position FROM events WHERE event_id = ?")
        findStream = try db.cachedStatement(sql: "SELECT id FROM streams WHERE name = ?")
        findStreamVersion = try db.cachedStatement(sql: "SELECT max(version) FROM events WHERE stream_id = ?")
        insertStream = try db.cachedStatement(sql: "INSERT INTO streams(name) VALUES (?)")
        if let row = try Row.fetchOne(db, sql: "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1") {
            let position: Int64 = row[0]
            let stored = row[1] as Data
            guard let hash = Digest32(bytes: stored) else {
                throw EventStoreError(
                    .corrupt, "the hash at position \(position) is \(stored.count) bytes, not 32", position: position)
            }
            headPosition = position
            headHash = hash
        } else {
            headPosition = 0
            headHash = .zero
        }
        self.projections = try ProjectionWriters(projections, db)
    }

    /// The current version of `stream` (0 when it has no events).
    public func version(of stream: String) throws -> Int64 {
        try streamEntry(stream)?.version ?? 0
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
        try append(preparer.prepare(event), expectedVersion: expectedVersion)
    }

    /// Prepares `event` on the writer's own thread (see ``EventPreparer``).
    public func prepare(_ event: NewEvent) -> PreparedEvent {
        preparer.prepare(event)
    }

    /// Appends one event prepared ahead (``EventPreparer``), or recognises it as a duplicate: the same as
    /// ``append(_:expectedVersion:)-(NewEvent,_)`` of its event, with the position-free work already done.
    @discardableResult
    public func append(_ prepared: PreparedEvent, expectedVersion: Int64? = nil) throws -> AppendOutcome {
        let event = prepared.event
        if let invalid = prepared.invalidReason {
            throw EventStoreError(.invalidEvent, invalid, stream: event.stream, eventID: event.eventID.lowercasedString)
        }
        let data = prepared.data
        var existingEntry = try streamEntry(event.stream)
        // Before creating a stream or checking an expected version, look for the event's twin: a retried
        // append is a duplicate, not a conflict, and a duplicate must not leave a new stream behind.
        // Otherwise the insert itself finds a twin (`ON CONFLICT(event_id) DO NOTHING`): one probe less.
        if existingEntry == nil || expectedVersion != nil {
            if let twin = try twinOutcome(of: event, data: data) { return twin }
        }
        if existingEntry == nil { existingEntry = try createStream(event.stream) }
        let entry = existingEntry!
        if let expectedVersion, expectedVersion != entry.version {
            throw EventStoreError(
                .versionConflict,
                "stream \(event.stream) is at version \(entry.version), but version \(expectedVersion) was expected",
                stream: event.stream, eventID: event.eventID.lowercasedString, expectedVersion: expectedVersion,
                actualVersion: entry.version)
        }
        let position = headPosition + 1
        let version = entry.version + 1
        let recordedAt = clock()
        let hash = prepared.chainHash(
            previous: headHash, position: position, version: version, recordedAt: recordedAt, scratch: &scratch)
        guard
            try store(
                prepared, streamID: entry.id, position: position, version: version, recordedAt: recordedAt, hash: hash)
        else {
            guard let twin = try twinOutcome(of: event, data: data) else {
                throw EventStoreError(.database, "the insert of event \(event.eventID.lowercasedString) was ignored")
            }
            return twin
        }
        return .appended(position: position)
    }

    /// Inserts the row of a new event at `position` (the next one), adds its leaf to the tree, moves the
    /// head and applies the projections.
    ///
    /// - Returns: `false` when an event with the same id is already stored (nothing was written).
    func store(
        _ prepared: PreparedEvent, streamID: Int64, position: Int64, version: Int64, recordedAt: Timestamp,
        hash: Digest32
    ) throws -> Bool {
        let event = prepared.event
        let inserted = try insertEvent.insert(
            EventRowInsert.Row(
                position: position, eventID: event.eventID, streamID: streamID, version: version, event: event,
                recordedAt: recordedAt, encoded: prepared.encoded, dataSize: prepared.data.count, hash: hash))
        guard inserted else { return false }
        try tree.append(
            leaf: prepared.leafHash(
                position: position, version: version, recordedAt: recordedAt, hash: hash, scratch: &scratch),
            treeSize: headPosition)
        headPosition = position
        headHash = hash
        streams[event.stream] = (streamID, version)
        if !projections.isEmpty {
            try projections.apply(
                RecordedEvent(
                    position: position, version: version, recordedAt: recordedAt, hash: hash.bytes, event: event))
            if !inSavepoint { try projections.safePoint() }
        }
        return true
    }

    /// Appends several events atomically within the transaction: all of them, or (when one throws)
    /// none, leaving the transaction usable for the next record.
    public func appendAll(_ events: [NewEvent]) throws -> [AppendOutcome] {
        try appendAll(events.map(preparer.prepare))
    }

    /// Appends several prepared events atomically within the transaction, as ``appendAll(_:)-([NewEvent])``.
    public func appendAll(_ events: [PreparedEvent]) throws -> [AppendOutcome] {
        if events.count == 1 { return [try append(events[0])] }
        let savedPosition = headPosition
        let savedHash = headHash
        let savedTree = tree.state
        var outcomes: [AppendOutcome] = []
        try projections.willOpenSavepoint()
        do {
            inSavepoint = true
            defer { inSavepoint = false }
            try db.inSavepoint {
                for event in events { outcomes.append(try append(event)) }
                return .commit
            }
        } catch {
            headPosition = savedPosition
            headHash = savedHash
            tree.state = savedTree
            streams.removeAll(keepingCapacity: true)
            projections.discardCaches()
            throw error
        }
        try projections.safePoint()
        return outcomes
    }

    func streamEntry(_ name: String) throws -> (id: Int64, version: Int64)? {
        if let cached = streams[name] { return cached }
        if streams.count >= Self.streamCacheLimit { streams.removeAll(keepingCapacity: true) }
        guard let id = try Int64.fetchOne(findStream, arguments: [name]) else { return nil }
        let version = try Int64.fetchOne(findStreamVersion, arguments: [id]) ?? 0
        streams[name] = (id, version)
        return (id, version)
    }

    func createStream(_ name: String) throws -> (id: Int64, version: Int64) {
        try insertStream.execute(arguments: [name])
        let entry = (id: db.lastInsertedRowID, version: Int64(0))
        streams[name] = entry
        return entry
    }

    /// `.duplicate` when `event` is already stored with the same content, `nil` when its id is new.
    ///
    /// - Throws: `event_id_conflict` when the id is stored with different content.
    private func twinOutcome(of event: NewEvent, data: [UInt8]) throws -> AppendOutcome? {
        let idBytes = event.eventID.bytes
        // The common case, a new id, costs one index probe; only a hit decodes the stored event.
        guard try Int64.fetchOne(findEventPosition, arguments: [idBytes]) != nil else { return nil }
        let query = try db.cachedStatement(sql: "\(EventRowDecoder.selectColumns) WHERE e.event_id = ?")
        guard let row = try Row.fetchOne(query, arguments: [idBytes]) else { return nil }
        let stored = try EventRowDecoder(codec: codec).decode(row)
        guard stored.recorded.event.hasSameEnvelope(as: event), stored.data == data else {
            throw EventStoreError(
                .eventIDConflict, "this event id is already stored with different content",
                stream: event.stream, position: stored.recorded.position, eventID: event.eventID.lowercasedString)
        }
        return .duplicate(position: stored.recorded.position)
    }
}

extension NewEvent {
    /// Whether every field but `data` matches (`data` is compared by its canonical bytes).
    public func hasSameEnvelope(as other: NewEvent) -> Bool {
        eventID == other.eventID && stream == other.stream && type == other.type && schema == other.schema
            && occurredAt == other.occurredAt && source == other.source && user == other.user
            && correlationID == other.correlationID
    }
}
