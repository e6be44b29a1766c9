import Crypto
import EnrollmentDomain
import Foundation

/// The tamper-evident chain: `hash = SHA-256(previous hash || canonical bytes of the event)`.
///
/// The canonical bytes are the event as compact JSON with keys in this order (alphabetical), `data`
/// being the stored canonical JSON, times in milliseconds, absent optional fields as `null`:
/// `correlation_id, data, event_id, occurred_at, position, recorded_at, schema, source, stream, type,
/// user, version`. The first event's previous hash is 32 zero bytes. Anyone can recompute the chain
/// from an export (see `docs/architecture.md`).
public enum EventHashing {
    /// The previous hash of the first event.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The canonical bytes that are hashed for one event.
    public static func canonicalBytes(
        position: Int64, version: Int64, recordedAt: Timestamp, event: NewEvent, data: [UInt8]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 320)
        func key(_ name: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func optional(_ value: String?) {
            if let value { JSONValue.writeString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        out.append(UInt8(ascii: "{"))
        key("correlation_id", first: true)
        optional(event.correlationID)
        key("data")
        out.append(contentsOf: data)
        key("event_id")
        JSONValue.writeString(event.eventID.lowercasedString, to: &out)
        key("occurred_at")
        out.append(contentsOf: String(event.occurredAt.milliseconds).utf8)
        key("position")
        out.append(contentsOf: String(position).utf8)
        key("recorded_at")
        out.append(contentsOf: String(recordedAt.milliseconds).utf8)
        key("schema")
        out.append(contentsOf: String(event.schema).utf8)
        key("source")
        JSONValue.writeString(event.source, to: &out)
        key("stream")
        JSONValue.writeString(event.stream, to: &out)
        key("type")
        JSONValue.writeString(event.type, to: &out)
        key("user")
        optional(event.user)
        key("version")
        out.append(contentsOf: String(version).utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The chain hash of an event given the previous one.
    public static func chain(previous: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical)
        return Array(hasher.finalize())
    }
}

extension UUID {
    /// The 16 bytes of the UUID, as the store keeps event ids.
    var bytes: Data {
        withUnsafeBytes(of: uuid) { Data($0) }
    }

    init?(bytes: Data) {
        guard bytes.count == 16 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        self.init(uuid: raw)
    }
}
