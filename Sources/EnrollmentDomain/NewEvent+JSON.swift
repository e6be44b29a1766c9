import Foundation

extension NewEvent {
    /// The longest stream id accepted.
    public static let maximumStreamLength = 256

    /// Validates a parsed native event (see ``init(ndjsonLine:)``).
    public init(json: JSONValue) throws(EventValidationError) {
        guard let members = json.objectValue else {
            throw EventValidationError(
                code: .invalidField, field: "", reason: "an event must be a JSON object, not \(json.typeName)")
        }
        try self.init(envelope: EventEnvelope(members: members))
    }

    /// Validates the members of a native event, the envelope first, then `data` against the catalogue.
    init(envelope: borrowing EventEnvelope) throws(EventValidationError) {
        let rawID = envelope.eventID?.stringValue
        func fail(_ code: EventValidationError.Code, _ field: String, _ reason: String) -> EventValidationError {
            EventValidationError(code: code, field: field, reason: reason, eventID: rawID)
        }
        func requiredString(_ value: JSONValue?, _ name: String) throws(EventValidationError) -> String {
            guard let value, value != .null else { throw fail(.missingField, name, "is required") }
            guard let text = value.stringValue else {
                throw fail(.invalidField, name, "must be a string, not \(value.typeName)")
            }
            guard !text.isEmpty else { throw fail(.invalidField, name, "must not be empty") }
            return text
        }
        func optionalString(_ value: JSONValue?, _ name: String) throws(EventValidationError) -> String? {
            guard let value, value != .null else { return nil }
            guard let text = value.stringValue else {
                throw fail(.invalidField, name, "must be a string or null, not \(value.typeName)")
            }
            return text.isEmpty ? nil : text
        }

        if let key = envelope.unknownMember {
            throw fail(.unknownField, key, "is not an event field (data belongs under 'data')")
        }
        guard let id = UUID(hexString: try requiredString(envelope.eventID, "event_id")) else {
            throw fail(.invalidField, "event_id", "must be a UUID")
        }
        let stream = try requiredString(envelope.stream, "stream")
        guard stream.utf8.count <= Self.maximumStreamLength else {
            throw fail(.invalidField, "stream", "is longer than \(Self.maximumStreamLength) bytes")
        }
        var streamBytes = stream
        guard !streamBytes.withUTF8({ $0.contains(where: { $0 < 0x20 || $0 == 0x7F }) }) else {
            throw fail(.invalidField, "stream", "must not contain control characters")
        }
        let type = try requiredString(envelope.type, "type")
        guard Self.isDottedName(type) else {
            throw fail(.invalidField, "type", "must be a dotted lowercase name such as 'profile.installed'")
        }
        var schema = 1
        if let value = envelope.schema, value != .null {
            guard let number = value.intValue, number >= 1, number <= 1_000 else {
                throw fail(.invalidField, "schema", "must be a positive integer")
            }
            schema = Int(number)
        }
        guard let occurredAt = Timestamp(iso8601: try requiredString(envelope.occurredAt, "occurred_at")) else {
            throw fail(.invalidField, "occurred_at", "must be an ISO 8601 date-time such as 2026-10-01T16:35:20.116Z")
        }
        let source = try requiredString(envelope.source, "source")
        let user = try optionalString(envelope.user, "user")
        let correlationID = try optionalString(envelope.correlationID, "correlation_id")
        var data: [String: JSONValue] = [:]
        var canonicalData = envelope.canonicalData
        if let value = envelope.data, value != .null {
            guard let object = value.objectValue else {
                throw fail(.invalidField, "data", "must be an object, not \(value.typeName)")
            }
            data = object
        } else {
            canonicalData = Array("{}".utf8)
        }
        self.init(
            eventID: id, stream: stream, type: type, schema: schema, occurredAt: occurredAt, source: source,
            user: user, correlationID: correlationID, data: data)
        try validateData()
        knownCanonicalData = canonicalData
        isValidated = true
    }

    /// Checks `data` against the catalogue (after upcasting to the current version). Unknown types pass, and
    /// so does an event read by ``init(ndjsonLine:)`` or ``init(json:)`` whose type, schema and data have not
    /// changed since (it was checked then).
    ///
    /// - Throws: ``EventValidationError`` naming `data.FIELD`.
    public func validateData() throws(EventValidationError) {
        guard !isValidated, let spec = EventCatalogue.spec(for: type) else { return }
        var idText: String { eventID.lowercasedString }
        guard schema <= spec.version else {
            throw EventValidationError(
                code: .invalidField, field: "schema",
                reason: "is \(schema), but \(type) is known up to version \(spec.version)", eventID: idText)
        }
        let current = schema < spec.version ? EventCatalogue.upcast(type: type, schema: schema, data: data).data : data
        for field in spec.fields {
            let value = current[field.name]
            if let problem = field.problem(with: value) {
                throw EventValidationError(
                    code: value == nil ? .missingField : .invalidField, field: "data.\(field.name)",
                    reason: problem, eventID: idText)
            }
        }
        if !spec.requiresOneOf.isEmpty,
            !spec.requiresOneOf.contains(where: { current[$0] != nil && current[$0] != .null })
        {
            throw EventValidationError(
                code: .missingField, field: "data",
                reason: "needs at least one of \(spec.requiresOneOf.joined(separator: ", "))", eventID: idText)
        }
    }

    /// The native JSON form of this event (docs/events.md, "The envelope"), as a JSON object.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "event_id": .string(eventID.lowercasedString),
            "stream": .string(stream),
            "type": .string(type),
            "schema": .int(Int64(schema)),
            "occurred_at": .string(occurredAt.iso8601),
            "source": .string(source),
            "data": .object(data),
        ]
        if let user { members["user"] = .string(user) }
        if let correlationID { members["correlation_id"] = .string(correlationID) }
        return .object(members)
    }

    static func isDottedName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isDottedName($0) }
    }

    private static func isDottedName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var sawDot = false
        var atSegmentStart = true
        for byte in name {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                atSegmentStart = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                if atSegmentStart { return false }
            case UInt8(ascii: "."):
                if atSegmentStart { return false }
                sawDot = true
                atSegmentStart = true
            default:
                return false
            }
        }
        return sawDot && !atSegmentStart && name.count <= 100
    }
}
