import EnrollmentDomain

/// Writes one event as a compact JSON object, member by member in the order the caller gives (sorted):
/// the one layout behind the chain's canonical bytes (``EventHashing``, `JSONStyle.canonical`) and the
/// Merkle leaf (``EventLeaf``, RFC 8785).
struct EventObjectWriter {
    private(set) var bytes: [UInt8] = []
    let style: JSONStyle
    private var empty = true

    init(capacity: Int, style: JSONStyle) {
        self.style = style
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// A writer of members that continue an object begun elsewhere: no `{`, and a `,` before the first
    /// member (the pieces of a ``PreparedEvent``).
    init(continuing style: JSONStyle) {
        self.style = style
        empty = false
    }

    /// Starts the member `name` (a plain ASCII key, written as is).
    mutating func key(_ name: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: "\":".utf8)
    }

    /// A string member, `null` when absent.
    mutating func string(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { JSONValue.writeString(value, style: style, to: &bytes) } else { bytes += "null".utf8 }
    }

    /// An integer member.
    mutating func integer(_ name: StaticString, _ value: Int64) {
        key(name)
        JSONValue.int(value).write(to: &bytes, style: style)
    }

    /// A string member of ASCII that needs no escape (hex digits, ISO 8601 times), written by `body`.
    mutating func ascii(_ name: StaticString, _ body: (inout [UInt8]) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        body(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A member whose JSON `body` writes.
    mutating func json(_ name: StaticString, _ body: (inout [UInt8]) -> Void) {
        key(name)
        body(&bytes)
    }

    /// The last members of both forms, alike in each: `schema, source, stream, type, user, version`.
    mutating func envelopeTail(_ event: NewEvent, version: Int64) {
        envelopeTail(event)
        JSONValue.int(version).write(to: &bytes, style: style)
    }

    /// The last members up to the key of `version`, whose value only the writer knows.
    mutating func envelopeTail(_ event: NewEvent) {
        integer("schema", Int64(event.schema))
        string("source", event.source)
        string("stream", event.stream)
        string("type", event.type)
        string("user", event.user)
        key("version")
    }

    /// The object, closed.
    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
