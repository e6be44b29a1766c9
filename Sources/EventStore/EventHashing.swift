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
        var out = EventObjectWriter(capacity: data.count + 320, style: .canonical)
        out.string("correlation_id", event.correlationID)
        out.json("data") { $0.append(contentsOf: data) }
        out.string("event_id", event.eventID.lowercasedString)
        out.integer("occurred_at", event.occurredAt.milliseconds)
        out.integer("position", position)
        out.integer("recorded_at", recordedAt.milliseconds)
        out.envelopeTail(event, version: version)
        return out.finish()
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
