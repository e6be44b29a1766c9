import EnrollmentDomain

/// The leaf of the store's Merkle tree for one event: the RFC 8785 (JCS) bytes of the event object
/// exactly as `export` writes it, without its `proof` member.
///
/// That object has thirteen members, which JCS sorts as `correlation_id, data, event_id, hash,
/// occurred_at, position, recorded_at, schema, source, stream, type, user, version` (absent optional
/// fields are `null`, times are ISO 8601 strings with milliseconds, `hash` is the hex chain hash). A third
/// party rebuilds the leaf from an exported line with any RFC 8785 library (`docs/proofs.md`); the
/// tests check that this writer and `JSONValue.jcsBytes` of the exported object agree.
public enum EventLeaf {
    /// The leaf bytes of an event.
    ///
    /// - Parameters:
    ///   - data: the stored canonical JSON of `event.data`, used as is when it is already JCS (the common
    ///     case: integers, plain strings); otherwise `event.data` is written anew.
    public static func bytes(
        position: Int64, version: Int64, recordedAt: Timestamp, hash: [UInt8], event: NewEvent, data: [UInt8]
    ) -> [UInt8] {
        var out = EventObjectWriter(capacity: data.count + 400, style: .jcs)
        writeHead(of: event, data: data, eventID: event.eventID.lowercasedString, to: &out)
        // Hex digits and ISO 8601 times are ASCII that JCS writes as they are: straight into the buffer.
        out.ascii("hash") { hash.appendHex(to: &$0) }
        out.ascii("occurred_at") { event.occurredAt.appendISO8601(to: &$0) }
        out.integer("position", position)
        out.ascii("recorded_at") { recordedAt.appendISO8601(to: &$0) }
        out.envelopeTail(event, version: version)
        return out.finish()
    }

    /// The leaf's first members, `correlation_id, data, event_id`, which no position changes.
    static func writeHead(of event: NewEvent, data: [UInt8], eventID: String, to out: inout EventObjectWriter) {
        out.string("correlation_id", event.correlationID)
        out.json("data") { bytes in
            if isJCS(canonical: data) {
                bytes.append(contentsOf: data)
            } else {
                JSONValue.object(event.data).writeJCS(to: &bytes)
            }
        }
        out.string("event_id", eventID)
    }

    /// The leaf hash of an event, `SHA-256(0x00 || leaf)`.
    public static func hash(
        position: Int64, version: Int64, recordedAt: Timestamp, hash: [UInt8], event: NewEvent, data: [UInt8]
    ) -> [UInt8] {
        MerkleHash.leaf(
            bytes(position: position, version: version, recordedAt: recordedAt, hash: hash, event: event, data: data))
    }

    /// Whether the store's canonical JSON of `data` is byte for byte its JCS form.
    ///
    /// The two agree on everything but three corners, which send the data to the full JCS writer: a
    /// number with a fraction or an exponent, or with more than 15 digits (JCS writes doubles the
    /// ECMAScript way); a `\b` or `\f` escape (the canonical form writes `\u0008`, `\u000c`); and a
    /// character from U+E000 up (keys sorted by UTF-8 bytes and by UTF-16 units can differ there).
    static func isJCS(canonical data: [UInt8]) -> Bool {
        data.withUnsafeBufferPointer { bytes in
            var inString = false
            var digits = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        // `\u0008` or `\u000c`: index+1 is `u`, index+5 the last hex digit.
                        if index + 5 < count, bytes[index + 1] == UInt8(ascii: "u"),
                            bytes[index + 5] == UInt8(ascii: "8") || bytes[index + 5] == UInt8(ascii: "c"),
                            bytes[index + 4] == UInt8(ascii: "0")
                        {
                            return false
                        }
                        index += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") {
                        inString = false
                    } else if byte >= 0xEE {
                        return false
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                    digits = 0
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    digits += 1
                    if digits > 15 { return false }
                } else {
                    if digits > 0
                        && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E"))
                    {
                        return false
                    }
                    digits = 0
                }
                index += 1
            }
            return true
        }
    }
}
