import Crypto
import EnrollmentDomain

/// An event with every part of its append done that does not depend on its place in the log: validated,
/// its `data` in canonical form and compressed, and the bytes of its chain input and Merkle leaf written
/// around the few members only the writer knows (`position`, `version`, `recorded_at`, the chain hash).
///
/// Make one with an ``EventPreparer`` on any thread (the ingest does it on a worker thread, ahead of the
/// writer) and append it with ``EventAppender/append(_:expectedVersion:)-(PreparedEvent,_)``. The hashes
/// the writer finishes from it are byte for byte those of ``EventHashing/canonicalBytes(position:version:recordedAt:event:data:)``
/// and ``EventLeaf/bytes(position:version:recordedAt:hash:event:data:)`` (`PreparedEventTests`).
public struct PreparedEvent: Sendable {
    /// The event as submitted.
    public let event: NewEvent
    /// Why the catalogue refuses it, or `nil` when it is valid (refused at its turn by the appender, so an
    /// invalid event is reported exactly where it would have been without the preparation).
    public let invalidReason: String?
    /// The canonical JSON of `data`.
    let data: [UInt8]
    /// `data` as stored (compressed where that pays).
    let encoded: PayloadCodec.Encoded
    /// The chain input up to the position: `{"correlation_id":…,"data":…,"event_id":…,"occurred_at":…,"position":`.
    let chainHead: [UInt8]
    /// The chain input from the schema to the version: `,"schema":…,"source":…,"stream":…,"type":…,"user":…,"version":`.
    let chainTail: [UInt8]
    /// SHA-256 fed with `0x00` and the leaf up to the chain hash: `{"correlation_id":…,"data":…,"event_id":…,"hash":"`.
    let leafHead: SHA256
    /// The leaf from after the hash to the position: `","occurred_at":"…","position":`.
    let leafMiddle: [UInt8]
    /// The leaf from the schema to the version (RFC 8785 escapes).
    let leafTail: [UInt8]

    /// The chain hash of the event at `position`, `version`, recorded at `recordedAt`, after `previous`.
    func chainHash(
        previous: Digest32, position: Int64, version: Int64, recordedAt: Timestamp, scratch: inout [UInt8]
    ) -> Digest32 {
        var hasher = SHA256()
        previous.update(&hasher)
        hasher.update(data: chainHead)
        scratch.removeAll(keepingCapacity: true)
        JSONValue.int(position).write(to: &scratch, style: .canonical)
        scratch += #","recorded_at":"#.utf8
        JSONValue.int(recordedAt.milliseconds).write(to: &scratch, style: .canonical)
        scratch += chainTail
        JSONValue.int(version).write(to: &scratch, style: .canonical)
        scratch.append(UInt8(ascii: "}"))
        hasher.update(data: scratch)
        return hasher.finalizeDigest32()
    }

    /// The Merkle leaf hash of the event once stored with chain hash `hash` (RFC 9162: `SHA-256(0x00 || leaf)`).
    func leafHash(
        position: Int64, version: Int64, recordedAt: Timestamp, hash: Digest32, scratch: inout [UInt8]
    ) -> Digest32 {
        var hasher = leafHead
        scratch.removeAll(keepingCapacity: true)
        hash.appendHex(to: &scratch)
        scratch += leafMiddle
        JSONValue.int(position).write(to: &scratch, style: .jcs)
        scratch += #","recorded_at":""#.utf8
        recordedAt.appendISO8601(to: &scratch)
        scratch.append(UInt8(ascii: "\""))
        scratch += leafTail
        JSONValue.int(version).write(to: &scratch, style: .jcs)
        scratch.append(UInt8(ascii: "}"))
        hasher.update(data: scratch)
        return hasher.finalizeDigest32()
    }
}

extension PreparedEvent {
    /// ``chainHash(previous:position:version:recordedAt:scratch:)-(Digest32,_,_,_,_)`` over byte arrays.
    ///
    /// - Precondition: `previous` is 32 bytes.
    func chainHash(
        previous: [UInt8], position: Int64, version: Int64, recordedAt: Timestamp, scratch: inout [UInt8]
    ) -> [UInt8] {
        chainHash(
            previous: Self.digest(previous), position: position, version: version, recordedAt: recordedAt,
            scratch: &scratch
        ).bytes
    }

    /// ``leafHash(position:version:recordedAt:hash:scratch:)-(_,_,_,Digest32,_)`` over byte arrays.
    ///
    /// - Precondition: `hash` is 32 bytes.
    func leafHash(
        position: Int64, version: Int64, recordedAt: Timestamp, hash: [UInt8], scratch: inout [UInt8]
    ) -> [UInt8] {
        leafHash(
            position: position, version: version, recordedAt: recordedAt, hash: Self.digest(hash), scratch: &scratch
        ).bytes
    }

    private static func digest(_ bytes: [UInt8]) -> Digest32 {
        guard let digest = Digest32(bytes: bytes) else { preconditionFailure("a hash of \(bytes.count) bytes, not 32") }
        return digest
    }
}

/// Prepares events for a store's appends (``PreparedEvent``): validation, canonical JSON, compression and
/// the position-free parts of both hashes.
///
/// Obtain one from ``SQLiteEventStore/makePreparer()``. One preparer serves one thread at a time (it reuses
/// liblz4's state); make one per worker thread.
public struct EventPreparer {
    let encoder: PayloadCodec.Encoder

    /// Prepares `event`. Never throws: an event the catalogue refuses carries its reason to the appender.
    public func prepare(_ event: NewEvent) -> PreparedEvent {
        var invalid: String?
        do { try event.validateData() } catch { invalid = error.description }
        let data = event.canonicalData
        let eventID = event.eventID.lowercasedString

        var chain = EventObjectWriter(capacity: data.count + 160, style: .canonical)
        chain.string("correlation_id", event.correlationID)
        chain.json("data") { $0.append(contentsOf: data) }
        chain.string("event_id", eventID)
        chain.integer("occurred_at", event.occurredAt.milliseconds)
        chain.key("position")
        var chainTail = EventObjectWriter(continuing: .canonical)
        chainTail.envelopeTail(event)

        var leaf = EventObjectWriter(capacity: data.count + 160, style: .jcs)
        EventLeaf.writeHead(of: event, data: data, eventID: eventID, to: &leaf)
        leaf.key("hash")
        var leafHead = SHA256()
        leafHead.update(data: [0x00])
        leafHead.update(data: leaf.bytes)
        leafHead.update(data: [UInt8(ascii: "\"")])
        var leafMiddle = EventObjectWriter(continuing: .jcs)
        leafMiddle.ascii("occurred_at") { event.occurredAt.appendISO8601(to: &$0) }
        leafMiddle.key("position")
        var leafTail = EventObjectWriter(continuing: .jcs)
        leafTail.envelopeTail(event)

        return PreparedEvent(
            event: event, invalidReason: invalid, data: data, encoded: encoder.encode(data), chainHead: chain.bytes,
            chainTail: chainTail.bytes, leafHead: leafHead, leafMiddle: [UInt8(ascii: "\"")] + leafMiddle.bytes,
            leafTail: leafTail.bytes)
    }
}

extension SQLiteEventStore {
    /// A preparer of events for this store's appends, for one thread (see ``EventPreparer``).
    public func makePreparer() -> EventPreparer {
        EventPreparer(encoder: codec.makeEncoder())
    }
}
