import EnrollmentDomain
import EventStore
import Foundation
import PostgresNIO

/// The serial step of an append on PostgreSQL: the position lock, the head, the tree's right edge, and the
/// rows of the batch, inserted together at the end of the transaction.
///
/// `pg_advisory_xact_lock(positionLockKey)` is taken first and held until the transaction commits or rolls
/// back, so appenders take positions one transaction after the other: each reads the head that the previous
/// one committed (under READ COMMITTED every statement sees what committed before it began, and a lock is
/// released only after its transaction's commit is visible). Positions are therefore gapless and become
/// visible in order. Everything else (validation, hashing, encoding) happens outside or before the lock.
final class PositionStep {
    private let connection: PostgresConnection
    private let logger: Logger
    /// The head: the last position and its chain hash, including this batch's rows.
    private(set) var position: Int64
    private(set) var hash: [UInt8]
    private var frontier: MerkleFrontier
    /// Stream versions, including this batch's rows (loaded by ``loadVersions(_:)``).
    private(set) var versions: [String: Int64] = [:]
    private var rows = Rows()
    private var nodes: (levels: [Int16], indices: [Int64], hashes: [ByteBuffer]) = ([], [], [])
    /// How many rows go into one INSERT statement.
    static let chunk = 2048

    private init(
        connection: PostgresConnection, logger: Logger, position: Int64, hash: [UInt8], frontier: MerkleFrontier
    ) {
        self.connection = connection
        self.logger = logger
        self.position = position
        self.hash = hash
        self.frontier = frontier
    }

    /// Takes the position lock (held to commit) and reads the head and the tree's right edge.
    static func begin(_ connection: PostgresConnection, logger: Logger) async throws -> PositionStep {
        // Collected: a SELECT's error (a standby refuses the lock) arrives with its rows, not before them.
        _ = try await connection.query(
            "SELECT pg_advisory_xact_lock(\(PostgresEventStore.positionLockKey))", logger: logger
        ).collect()
        var position: Int64 = 0
        var hash = EventHashing.genesis
        for try await (last, lastHash) in try await connection.query(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1", logger: logger
        ).decode((Int64, ByteBuffer).self) {
            position = last
            hash = Array(lastHash.readableBytesView)
        }
        let nodes = try await PostgresNodes.fetch(
            Set(MerkleFrontier.nodes(size: position).map { PostgresNodes.Key(level: $0.level, index: $0.index) }),
            on: connection, logger: logger)
        let frontier = try MerkleFrontier(size: position) { level, index in
            try PostgresNodes.require(nodes, level: level, index: index)
        }
        return PositionStep(connection: connection, logger: logger, position: position, hash: hash, frontier: frontier)
    }

    /// Reads the current version of each stream (0 for a new one).
    func loadVersions(_ streams: Set<String>) async throws {
        let names = Array(streams.filter { versions[$0] == nil })
        guard !names.isEmpty else { return }
        for name in names { versions[name] = 0 }
        for try await (stream, version) in try await connection.query(
            "SELECT stream, max(version) FROM events WHERE stream = ANY(\(PostgresText.encode(names))) GROUP BY stream",
            logger: logger
        ).decode((String, Int64).self) {
            versions[PostgresText.decode(stream)] = version
        }
    }

    /// Adds the next event (at position + 1) with its leaf and the tree nodes it completes.
    func add(_ event: NewEvent, data: [UInt8], version: Int64, recordedAt: Timestamp, hash: [UInt8]) {
        let position = position + 1
        rows.append(event, position: position, version: version, recordedAt: recordedAt, data: data, hash: hash)
        let leaf = EventLeaf.hash(
            position: position, version: version, recordedAt: recordedAt, hash: hash, event: event, data: data)
        frontier.append(leafHash: leaf) { level, index, node in
            nodes.levels.append(Int16(level))
            nodes.indices.append(index)
            nodes.hashes.append(ByteBuffer(bytes: node))
        }
        self.position = position
        self.hash = hash
        versions[event.stream] = version
    }

    /// Adds events exactly as another store recorded them, each checked to follow the head and its stream
    /// and to reproduce its chain hash, then writes their rows and tree nodes (``flush()``).
    func addVerbatim(_ events: [RecordedEvent]) async throws {
        try await loadVersions(Set(events.map(\.event.stream)))
        for recorded in events {
            let event = recorded.event
            let id = event.eventID.lowercasedString
            do {
                try event.validateData()
            } catch {
                throw EventStoreError(
                    .invalidEvent, String(describing: error), stream: event.stream, position: recorded.position,
                    eventID: id)
            }
            guard recorded.position == position + 1 else {
                throw EventStoreError(
                    .invalidEvent, "position \(recorded.position) does not follow the head \(position)",
                    position: recorded.position, eventID: id)
            }
            let current = versions[event.stream] ?? 0
            guard recorded.version == current + 1 else {
                throw EventStoreError(
                    .invalidEvent, "version \(recorded.version) does not follow the stream's version \(current)",
                    stream: event.stream, position: recorded.position, eventID: id)
            }
            let data = event.canonicalData
            let canonical = EventHashing.canonicalBytes(
                position: recorded.position, version: recorded.version, recordedAt: recorded.recordedAt,
                event: event, data: data)
            guard EventHashing.chain(previous: hash, canonical: canonical) == recorded.hash else {
                throw EventStoreError(
                    .corrupt,
                    "the hash at position \(recorded.position) does not match its content and predecessor",
                    position: recorded.position, eventID: id)
            }
            add(
                event, data: data, version: recorded.version, recordedAt: recorded.recordedAt, hash: recorded.hash)
        }
        try await flush()
    }

    /// Inserts the batch's rows and nodes, and queues the notification of the new head for the followers
    /// (``PostgresEventStore/notificationChannel``; PostgreSQL delivers it when, and only if, the
    /// transaction commits). The lock is still held: the caller commits next.
    func flush() async throws {
        if !rows.positions.isEmpty {
            _ = try await connection.query(
                "SELECT pg_notify(\(PostgresEventStore.notificationChannel), \(String(position)))", logger: logger
            ).collect()
        }
        for chunk in rows.chunks(of: Self.chunk) {
            try await connection.query(
                """
                INSERT INTO events (position, event_id, stream, version, type, schema, occurred_at, recorded_at,
                    source, "user", correlation_id, known_type, data, hash)
                SELECT p, i, s, v, t, sc, o, r, so, CASE WHEN hu THEN u END, CASE WHEN hc THEN c END, k, d, h
                FROM unnest(\(chunk.positions)::bigint[], \(chunk.ids)::uuid[], \(chunk.streams)::text[],
                    \(chunk.versions)::bigint[], \(chunk.types)::text[], \(chunk.schemas)::integer[],
                    \(chunk.occurred)::bigint[], \(chunk.recorded)::bigint[], \(chunk.sources)::text[],
                    \(chunk.hasUser)::boolean[], \(chunk.users)::text[], \(chunk.hasCorrelation)::boolean[],
                    \(chunk.correlations)::text[], \(chunk.known)::boolean[], \(chunk.data)::bytea[],
                    \(chunk.hashes)::bytea[])
                    AS row(p, i, s, v, t, sc, o, r, so, hu, u, hc, c, k, d, h)
                """, logger: logger)
        }
        var start = 0
        while start < nodes.levels.count {
            let end = min(start + Self.chunk * 2, nodes.levels.count)
            let levels = Array(nodes.levels[start..<end])
            let indices = Array(nodes.indices[start..<end])
            let hashes = Array(nodes.hashes[start..<end])
            try await connection.query(
                """
                INSERT INTO merkle_nodes (level, idx, hash)
                SELECT * FROM unnest(\(levels)::smallint[], \(indices)::bigint[], \(hashes)::bytea[])
                """, logger: logger)
            start = end
        }
        rows = Rows()
        nodes = ([], [], [])
    }

    /// The batch's event rows, column by column (one array per column for `unnest`).
    struct Rows {
        var positions: [Int64] = []
        var ids: [UUID] = []
        var streams: [String] = []
        var versions: [Int64] = []
        var types: [String] = []
        var schemas: [Int32] = []
        var occurred: [Int64] = []
        var recorded: [Int64] = []
        var sources: [String] = []
        var hasUser: [Bool] = []
        var users: [String] = []
        var hasCorrelation: [Bool] = []
        var correlations: [String] = []
        var known: [Bool] = []
        var data: [ByteBuffer] = []
        var hashes: [ByteBuffer] = []

        mutating func append(
            _ event: NewEvent, position: Int64, version: Int64, recordedAt: Timestamp, data bytes: [UInt8],
            hash: [UInt8]
        ) {
            positions.append(position)
            ids.append(event.eventID)
            streams.append(PostgresText.encode(event.stream))
            versions.append(version)
            types.append(event.type)
            schemas.append(Int32(clamping: event.schema))
            occurred.append(event.occurredAt.milliseconds)
            recorded.append(recordedAt.milliseconds)
            sources.append(PostgresText.encode(event.source))
            hasUser.append(event.user != nil)
            users.append(PostgresText.encode(event.user ?? ""))
            hasCorrelation.append(event.correlationID != nil)
            correlations.append(PostgresText.encode(event.correlationID ?? ""))
            known.append(event.isKnownType)
            data.append(ByteBuffer(bytes: bytes))
            hashes.append(ByteBuffer(bytes: hash))
        }

        /// The rows in runs of at most `size`.
        func chunks(of size: Int) -> [Rows] {
            stride(from: 0, to: positions.count, by: size).map { start in
                let range = start..<min(start + size, positions.count)
                return Rows(
                    positions: Array(positions[range]), ids: Array(ids[range]), streams: Array(streams[range]),
                    versions: Array(versions[range]), types: Array(types[range]), schemas: Array(schemas[range]),
                    occurred: Array(occurred[range]), recorded: Array(recorded[range]),
                    sources: Array(sources[range]), hasUser: Array(hasUser[range]), users: Array(users[range]),
                    hasCorrelation: Array(hasCorrelation[range]), correlations: Array(correlations[range]),
                    known: Array(known[range]), data: Array(data[range]), hashes: Array(hashes[range]))
            }
        }
    }
}
