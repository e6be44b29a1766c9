/// The members of one native event object, sorted out but not yet checked: what ``NewEvent`` validates.
///
/// ``NewEvent/init(json:)`` fills it from a parsed object; ``NewEvent/init(ndjsonLine:)`` fills it while
/// reading the line, without building a dictionary of the envelope, and keeps the bytes of `data` when they
/// were already canonical.
struct EventEnvelope {
    var eventID: JSONValue?
    var stream: JSONValue?
    var type: JSONValue?
    var schema: JSONValue?
    var occurredAt: JSONValue?
    var source: JSONValue?
    var user: JSONValue?
    var correlationID: JSONValue?
    var data: JSONValue?
    /// A member that is neither an envelope member nor one of the store's own: the event is refused.
    var unknownMember: String?
    /// The bytes `data` was read from, when they were already its canonical bytes.
    var canonicalData: [UInt8]?

    init() {}

    /// Sorts out the members of a parsed object. When several members are unknown, the one reported is
    /// the first in the dictionary's order.
    init(members: [String: JSONValue]) {
        for (key, value) in members {
            guard let member = EnvelopeMember(name: key) else {
                if unknownMember == nil { unknownMember = key }
                continue
            }
            self[member] = value
        }
    }

    /// The value of an envelope member; the store's own members are not kept.
    subscript(member: EnvelopeMember) -> JSONValue? {
        get {
            switch member {
            case .eventID: eventID
            case .stream: stream
            case .type: type
            case .schema: schema
            case .occurredAt: occurredAt
            case .source: source
            case .user: user
            case .correlationID: correlationID
            case .data: data
            case .position, .version, .recordedAt, .hash, .unknownType, .proof: nil
            }
        }
        set {
            switch member {
            case .eventID: eventID = newValue
            case .stream: stream = newValue
            case .type: type = newValue
            case .schema: schema = newValue
            case .occurredAt: occurredAt = newValue
            case .source: source = newValue
            case .user: user = newValue
            case .correlationID: correlationID = newValue
            case .data: data = newValue
            case .position, .version, .recordedAt, .hash, .unknownType, .proof: break
            }
        }
    }
}

/// The members a native event line may carry. `position`, `version`, `recorded_at`, `hash`, `proof` and
/// `unknown_type` come from the store's own exports and are ignored, so an export re-ingests.
enum EnvelopeMember: Int, CaseIterable {
    case eventID, stream, type, schema, occurredAt, source, user, correlationID, data
    case position, version, recordedAt, hash, unknownType, proof

    /// The member's name in JSON.
    var name: StaticString {
        switch self {
        case .eventID: "event_id"
        case .stream: "stream"
        case .type: "type"
        case .schema: "schema"
        case .occurredAt: "occurred_at"
        case .source: "source"
        case .user: "user"
        case .correlationID: "correlation_id"
        case .data: "data"
        case .position: "position"
        case .version: "version"
        case .recordedAt: "recorded_at"
        case .hash: "hash"
        case .unknownType: "unknown_type"
        case .proof: "proof"
        }
    }

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name.description, $0) })

    /// The member called `name`, compared as strings are (the names are ASCII, so that is byte for byte).
    init?(name: String) {
        guard let member = EnvelopeMember.byName[name] else { return nil }
        self = member
    }

    /// The member whose name stands in `bytes` from the quote at `quote`, written plainly (no escapes) and
    /// followed by its closing quote.
    init?(quotedAt quote: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        let start = quote + 1
        guard start + 5 < bytes.count else { return nil }
        // The first letter or two tell the names apart; then the whole name and the quote must follow.
        let candidate: EnvelopeMember
        switch bytes[start] {
        case UInt8(ascii: "e"): candidate = .eventID
        case UInt8(ascii: "s"):
            switch bytes[start + 1] {
            case UInt8(ascii: "t"): candidate = .stream
            case UInt8(ascii: "c"): candidate = .schema
            default: candidate = .source
            }
        case UInt8(ascii: "t"): candidate = .type
        case UInt8(ascii: "o"): candidate = .occurredAt
        case UInt8(ascii: "u"): candidate = bytes[start + 1] == UInt8(ascii: "s") ? .user : .unknownType
        case UInt8(ascii: "c"): candidate = .correlationID
        case UInt8(ascii: "d"): candidate = .data
        case UInt8(ascii: "p"): candidate = bytes[start + 1] == UInt8(ascii: "o") ? .position : .proof
        case UInt8(ascii: "v"): candidate = .version
        case UInt8(ascii: "r"): candidate = .recordedAt
        case UInt8(ascii: "h"): candidate = .hash
        default: return nil
        }
        let name = candidate.name
        let end = start + name.utf8CodeUnitCount
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        for offset in 0..<name.utf8CodeUnitCount where bytes[start + offset] != name.utf8Start[offset] { return nil }
        self = candidate
    }
}
