import Foundation

/// An event as a producer submits it, before the store gives it a position.
///
/// ```swift
/// let event = try NewEvent(ndjsonLine: Array(line.utf8))
/// ```
public struct NewEvent: Sendable, Hashable {
    /// The idempotency key: re-appending the same id with the same content is a no-op.
    public var eventID: UUID
    /// The stream: one enrollment attempt, as the reporting source names it.
    public var stream: String
    /// The dotted, past-tense event type, e.g. `profile.installed`.
    public var type: String { didSet { isValidated = false } }
    /// The schema version of `data`. The default is 1.
    public var schema: Int { didSet { isValidated = false } }
    /// When it happened, by the source's clock.
    public var occurredAt: Timestamp
    /// The system that reported it, e.g. `enrollment-service`, `nanomdm`, `intune`.
    public var source: String
    /// The user's UPN, where known.
    public var user: String?
    /// An id the source uses to tie events together, where known.
    public var correlationID: String?
    /// The type-specific payload: always a JSON object.
    public var data: [String: JSONValue] {
        didSet {
            isValidated = false
            knownCanonicalData = nil
        }
    }
    /// The canonical bytes of `data`, when they were kept from the line the event was read from.
    var knownCanonicalData: [UInt8]?
    /// Whether `data` passed ``validateData()`` with the current type and schema (set by the initialisers
    /// that validate, cleared by any change to the three), so that the store does not check it again.
    var isValidated = false

    public init(
        eventID: UUID, stream: String, type: String, schema: Int = 1, occurredAt: Timestamp, source: String,
        user: String? = nil, correlationID: String? = nil, data: [String: JSONValue] = [:]
    ) {
        self.eventID = eventID
        self.stream = stream
        self.type = type
        self.schema = schema
        self.occurredAt = occurredAt
        self.source = source
        self.user = user
        self.correlationID = correlationID
        self.data = data
    }

    /// Whether the catalogue knows this type. Unknown types are stored but flagged.
    public var isKnownType: Bool { EventCatalogue.spec(for: type) != nil }

    /// The canonical bytes of `data` (sorted keys, compact), the form the store keeps and hashes. An event
    /// read from a line whose `data` was already canonical returns the bytes it was read from.
    public var canonicalData: [UInt8] { knownCanonicalData ?? JSONValue.object(data).canonicalBytes }

    /// Events are equal when their fields are: what is cached about `data` does not count.
    public static func == (lhs: NewEvent, rhs: NewEvent) -> Bool {
        lhs.eventID == rhs.eventID && lhs.stream == rhs.stream && lhs.type == rhs.type && lhs.schema == rhs.schema
            && lhs.occurredAt == rhs.occurredAt && lhs.source == rhs.source && lhs.user == rhs.user
            && lhs.correlationID == rhs.correlationID && lhs.data == rhs.data
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventID)
        hasher.combine(stream)
        hasher.combine(type)
        hasher.combine(schema)
        hasher.combine(occurredAt)
        hasher.combine(source)
        hasher.combine(user)
        hasher.combine(correlationID)
        hasher.combine(data)
    }
}

/// An event as the store holds it: a ``NewEvent`` plus its place in the log.
public struct RecordedEvent: Sendable, Hashable {
    /// The global, gapless order of recording, starting at 1.
    public var position: Int64
    /// The event's number within its stream, starting at 1.
    public var version: Int64
    /// When the store recorded it, by the store's clock.
    public var recordedAt: Timestamp
    /// The tamper-evident chain hash: SHA-256 of the previous hash and this event's canonical bytes.
    public var hash: [UInt8]
    /// The event as it was submitted (with `data` as stored, not upcast).
    public var event: NewEvent

    public init(position: Int64, version: Int64, recordedAt: Timestamp, hash: [UInt8], event: NewEvent) {
        self.position = position
        self.version = version
        self.recordedAt = recordedAt
        self.hash = hash
        self.event = event
    }

    /// `data` upcast to the current schema version of its type (unknown types are returned as stored).
    public var currentData: [String: JSONValue] {
        EventCatalogue.upcast(type: event.type, schema: event.schema, data: event.data).data
    }

    /// The hex form of ``hash``.
    public var hashHex: String { hash.hexString }
}

extension Sequence<UInt8> {
    /// Lowercase hexadecimal digits, two per byte.
    public var hexString: String {
        var output: [UInt8] = []
        appendHex(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the lowercase hexadecimal digits of these bytes to `output`.
    public func appendHex(to output: inout [UInt8]) {
        // Contiguous bytes (the hashes) are written in one pass into reserved space: the generic loop
        // below went through an iterator per byte and was 2% of a bulk ingest's samples.
        let written: Void? = withContiguousStorageIfAvailable { bytes in
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: bytes.count * 2))
            output.withUnsafeMutableBufferPointer { digits in
                for (offset, byte) in bytes.enumerated() {
                    digits[start + 2 * offset] = hexDigit(byte >> 4)
                    digits[start + 2 * offset + 1] = hexDigit(byte & 0x0F)
                }
            }
        }
        guard written == nil else { return }
        for byte in self {
            output.append(hexDigit(byte >> 4))
            output.append(hexDigit(byte & 0x0F))
        }
    }
}

/// The lowercase hexadecimal digit of a value 0…15.
@inline(__always) func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
}
