import EnrollmentDomain
import Foundation
import GRDB

/// Turns a row of `events` (joined with `streams`) back into a ``RecordedEvent``.
struct EventRowDecoder {
    /// The SELECT every event read uses; append `WHERE …` / `ORDER BY …`.
    ///
    /// The envelope's free texts (`source`, `user`, `correlation_id`) are written with their length and may
    /// hold U+0000; read as TEXT, GRDB would cut them there (`String(cString:)`) and the event would come
    /// back other than it was hashed. They are read as their bytes instead (a CAST to BLOB keeps them).
    static let selectColumns = """
        SELECT e.position, e.event_id, s.name, e.version, e.type, e.schema, e.occurred_at, e.recorded_at,
            CAST(e.source AS BLOB), CAST(e.user AS BLOB), CAST(e.correlation_id AS BLOB), e.codec, e.dictionary_id,
            e.data_size, e.payload, e.hash
        FROM events e JOIN streams s ON s.id = e.stream_id
        """

    let codec: PayloadCodec

    struct Decoded {
        var recorded: RecordedEvent
        /// The canonical JSON of `data`, exactly as hashed.
        var data: [UInt8]
    }

    func decode(_ row: Row) throws -> Decoded {
        let position = Int64.fromDatabaseValue(row[0] as DatabaseValue) ?? 0
        func damaged(_ what: String) -> EventStoreError {
            EventStoreError(.undecodable, "the stored event cannot be decoded: \(what)", position: position)
        }
        // Tampered rows may hold anything: decode every column failably, never trap.
        func value<T: DatabaseValueConvertible>(_ index: Int, _ name: String) throws -> T {
            guard let value = T.fromDatabaseValue(row[index] as DatabaseValue) else { throw damaged(name) }
            return value
        }
        func optional<T: DatabaseValueConvertible>(_ index: Int, _ name: String) throws -> T? {
            let raw = row[index] as DatabaseValue
            if raw.isNull { return nil }
            return try value(index, name) as T
        }
        func text(_ index: Int, _ name: String) throws -> String? {
            guard let bytes = try optional(index, name) as Data? else { return nil }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw damaged(name) }
            return text
        }
        func requiredText(_ index: Int, _ name: String) throws -> String {
            guard let text = try text(index, name) else { throw damaged(name) }
            return text
        }
        let idData: Data = try value(1, "event_id")
        guard let eventID = UUID(bytes: idData) else { throw damaged("event_id") }
        let payload: Data = try value(14, "payload")
        guard
            let data = codec.decode(
                codec: try value(11, "codec"), dictionaryID: try optional(12, "dictionary_id"),
                size: try value(13, "data_size"), payload: Array(payload))
        else { throw damaged("payload") }
        let members: [String: JSONValue]
        do {
            members = try JSONParser.parse(data).objectValue ?? [:]
        } catch {
            throw damaged("payload is not JSON")
        }
        let event = NewEvent(
            eventID: eventID, stream: try value(2, "stream"), type: try value(4, "type"),
            schema: try value(5, "schema"), occurredAt: Timestamp(milliseconds: try value(6, "occurred_at")),
            source: try requiredText(8, "source"), user: try text(9, "user"),
            correlationID: try text(10, "correlation_id"), data: members)
        let hash: Data = try value(15, "hash")
        let recorded = RecordedEvent(
            position: position, version: try value(3, "version"),
            recordedAt: Timestamp(milliseconds: try value(7, "recorded_at")), hash: Array(hash), event: event)
        return Decoded(recorded: recorded, data: data)
    }
}
