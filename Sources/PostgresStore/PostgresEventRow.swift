import EnrollmentDomain
import EventStore
import Foundation
import PostgresNIO

/// The columns every event read selects, and their decoding back into a ``RecordedEvent``.
enum PostgresEventRow {
    static let columns = """
        position, event_id, stream, version, type, schema, occurred_at, recorded_at, source, "user",
        correlation_id, data, hash, known_type
        """

    /// A decoded row: the event, its canonical data bytes as stored, and its `known_type` flag.
    struct Decoded: Sendable {
        var recorded: RecordedEvent
        var data: [UInt8]
        var flaggedKnown: Bool
    }

    /// Decodes a row of ``columns``; a row that cannot be decoded (a tampered one) is `undecodable`.
    static func decode(_ row: PostgresRow) throws -> Decoded {
        let position = (try? row.decode(Int64.self)) ?? 0
        do {
            let (
                _, eventID, stream, version, type, schema, occurredAt, recordedAt, source, user, correlationID,
                data, hash, knownType
            ) = try row.decode(
                (
                    Int64, UUID, String, Int64, String, Int, Int64, Int64, String, String?, String?, ByteBuffer,
                    ByteBuffer, Bool
                ).self)
            let bytes = Array(data.readableBytesView)
            guard let members = try? JSONParser.parse(bytes).objectValue else {
                throw EventStoreError(
                    .undecodable, "the stored event cannot be decoded: payload is not JSON", position: position)
            }
            let event = NewEvent(
                eventID: eventID, stream: PostgresText.decode(stream), type: type, schema: schema,
                occurredAt: Timestamp(milliseconds: occurredAt), source: PostgresText.decode(source),
                user: PostgresText.decode(user), correlationID: PostgresText.decode(correlationID), data: members)
            let recorded = RecordedEvent(
                position: position, version: version, recordedAt: Timestamp(milliseconds: recordedAt),
                hash: Array(hash.readableBytesView), event: event)
            return Decoded(recorded: recorded, data: bytes, flaggedKnown: knownType)
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError(.undecodable, "the stored event cannot be decoded", position: position)
        }
    }

    /// Runs `query` and decodes every row.
    static func fetch(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws
        -> [Decoded]
    {
        var decoded: [Decoded] = []
        for try await row in try await connection.query(query, logger: logger) {
            decoded.append(try decode(row))
        }
        return decoded
    }
}

extension PostgresEventRow {
    /// The events after `position`, at most `limit`, in position order, on `connection` (in its transaction).
    static func page(after position: Int64, limit: Int64, on connection: PostgresConnection, logger: Logger)
        async throws -> [RecordedEvent]
    {
        try await fetch(
            "SELECT \(unescaped: columns) FROM events WHERE position > \(position) ORDER BY position LIMIT \(limit)",
            on: connection, logger: logger
        ).map(\.recorded)
    }
}
