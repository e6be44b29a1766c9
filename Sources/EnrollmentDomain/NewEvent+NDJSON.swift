extension NewEvent {
    /// Decodes and validates one native event line (docs/events.md, "The envelope").
    ///
    /// The line is read in one pass, straight into the envelope's fields; when its `data` is already in
    /// canonical form (sorted keys, no whitespace, minimal escapes), those bytes become ``canonicalData``
    /// as they are. The result, and every error, is the same as ``init(json:)`` of the parsed line.
    ///
    /// - Parameter bytes: one JSON object, UTF-8.
    /// - Throws: ``EventValidationError`` naming the field and what was wrong.
    public init<Bytes: Collection<UInt8>>(ndjsonLine bytes: Bytes) throws(EventValidationError) {
        let result =
            bytes.withContiguousStorageIfAvailable { NewEvent.decode(line: $0) }
            ?? Array(bytes).withUnsafeBufferPointer { NewEvent.decode(line: $0) }
        self = try result.get()
    }

    private static func decode(line: UnsafeBufferPointer<UInt8>) -> Result<NewEvent, EventValidationError> {
        var reader = JSONReader(bytes: line)
        do throws(JSONSyntaxError) {
            reader.skipWhitespace()
            guard reader.index < line.count, line[reader.index] == UInt8(ascii: "{") else {
                // Not an object: the general parser says what is wrong, or what it is instead.
                let value = try JSONParser.parse(line)
                return Result { () throws(EventValidationError) in try NewEvent(json: value) }
            }
            let envelope = try reader.parseEventEnvelope()
            reader.skipWhitespace()
            guard reader.index == line.count else { throw reader.error("unexpected data after the JSON value") }
            return Result { () throws(EventValidationError) in try NewEvent(envelope: envelope) }
        } catch {
            return .failure(EventValidationError(code: .invalidJSON, field: "", reason: error.description))
        }
    }
}

extension JSONReader {
    /// Reads the event object that starts at `index` (its `{`) into an envelope, with the same checks and
    /// errors as ``parseObject(depth:)`` but no dictionary: each member goes to its field.
    mutating func parseEventEnvelope() throws(JSONSyntaxError) -> EventEnvelope {
        var envelope = EventEnvelope()
        if openContainer(closing: UInt8(ascii: "}")) { return envelope }
        var seen: UInt32 = 0
        var unknownMembers: Set<String> = []
        repeat {
            try expectMemberName()
            let (member, key) = try parseEnvelopeMemberName()
            try expectNameSeparator()
            if let member {
                isCanonical = true
                let start = index
                let value = try parseValue(depth: 1)
                let bit: UInt32 = 1 << member.rawValue
                guard seen & bit == 0 else { throw error("duplicate member \"\(key ?? member.name.description)\"") }
                seen |= bit
                if member == .data, isCanonical, case .object = value {
                    envelope.canonicalData = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                }
                envelope[member] = value
            } else {
                let key = key!
                _ = try parseValue(depth: 1)
                guard unknownMembers.insert(key).inserted else { throw error("duplicate member \"\(key)\"") }
                if envelope.unknownMember == nil { envelope.unknownMember = key }
            }
        } while try !closes(UInt8(ascii: "}"))
        return envelope
    }

    /// Reads a member name of the event object: which envelope member it names, if any, and the name as
    /// text unless it is a member's name written plainly (the common case, which needs no string).
    private mutating func parseEnvelopeMemberName() throws(JSONSyntaxError) -> (EnvelopeMember?, String?) {
        if let member = EnvelopeMember(quotedAt: index, in: bytes) {
            index += member.name.utf8CodeUnitCount + 2
            return (member, nil)
        }
        let key = try parseString()
        return (EnvelopeMember(name: key), key)
    }
}
