import Foundation

extension NewEvent {
    /// The envelope members a native event line may carry. `position`, `version`, `recorded_at` and
    /// `hash` come from the store's own exports and are ignored, so an export re-ingests.
    static let envelopeMembers: Set<String> = [
        "event_id", "stream", "type", "schema", "occurred_at", "source", "user", "correlation_id", "data",
    ]
    static let storeMembers: Set<String> = ["position", "version", "recorded_at", "hash", "unknown_type"]

    /// The longest stream id accepted.
    public static let maximumStreamLength = 256

    /// Decodes and validates one native event line (DESIGN.md §3).
    ///
    /// - Parameter bytes: one JSON object, UTF-8.
    /// - Throws: ``EventValidationError`` naming the field and what was wrong.
    public init<Bytes: Collection<UInt8>>(ndjsonLine bytes: Bytes) throws(EventValidationError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw EventValidationError(code: .invalidJSON, field: "", reason: error.description)
        }
        try self.init(json: value)
    }

    /// Validates a parsed native event (see ``init(ndjsonLine:)``).
    public init(json: JSONValue) throws(EventValidationError) {
        guard let members = json.objectValue else {
            throw EventValidationError(
                code: .invalidField, field: "", reason: "an event must be a JSON object, not \(json.typeName)")
        }
        let rawID = members["event_id"]?.stringValue
        func fail(_ code: EventValidationError.Code, _ field: String, _ reason: String) -> EventValidationError {
            EventValidationError(code: code, field: field, reason: reason, eventID: rawID)
        }
        func requiredString(_ name: String) throws(EventValidationError) -> String {
            guard let value = members[name], value != .null else { throw fail(.missingField, name, "is required") }
            guard let text = value.stringValue else {
                throw fail(.invalidField, name, "must be a string, not \(value.typeName)")
            }
            guard !text.isEmpty else { throw fail(.invalidField, name, "must not be empty") }
            return text
        }
        func optionalString(_ name: String) throws(EventValidationError) -> String? {
            guard let value = members[name], value != .null else { return nil }
            guard let text = value.stringValue else {
                throw fail(.invalidField, name, "must be a string or null, not \(value.typeName)")
            }
            return text.isEmpty ? nil : text
        }

        for key in members.keys where !Self.envelopeMembers.contains(key) && !Self.storeMembers.contains(key) {
            throw fail(.unknownField, key, "is not an event field (data belongs under 'data')")
        }
        guard let id = UUID(hexString: try requiredString("event_id")) else {
            throw fail(.invalidField, "event_id", "must be a UUID")
        }
        let stream = try requiredString("stream")
        guard stream.utf8.count <= Self.maximumStreamLength else {
            throw fail(.invalidField, "stream", "is longer than \(Self.maximumStreamLength) bytes")
        }
        guard !stream.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw fail(.invalidField, "stream", "must not contain control characters")
        }
        let type = try requiredString("type")
        guard Self.isDottedName(type) else {
            throw fail(.invalidField, "type", "must be a dotted lowercase name such as 'profile.installed'")
        }
        var schema = 1
        if let value = members["schema"], value != .null {
            guard let number = value.intValue, number >= 1, number <= 1_000 else {
                throw fail(.invalidField, "schema", "must be a positive integer")
            }
            schema = Int(number)
        }
        guard let occurredAt = Timestamp(iso8601: try requiredString("occurred_at")) else {
            throw fail(.invalidField, "occurred_at", "must be an ISO 8601 date-time such as 2026-10-01T16:35:20.116Z")
        }
        let source = try requiredString("source")
        let user = try optionalString("user")
        let correlationID = try optionalString("correlation_id")
        var data: [String: JSONValue] = [:]
        if let value = members["data"], value != .null {
            guard let object = value.objectValue else {
                throw fail(.invalidField, "data", "must be an object, not \(value.typeName)")
            }
            data = object
        }
        self.init(
            eventID: id, stream: stream, type: type, schema: schema, occurredAt: occurredAt, source: source,
            user: user, correlationID: correlationID, data: data)
        try validateData()
    }

    /// Checks `data` against the catalogue (after upcasting to the current version). Unknown types pass.
    ///
    /// - Throws: ``EventValidationError`` naming `data.FIELD`.
    public func validateData() throws(EventValidationError) {
        guard let spec = EventCatalogue.spec(for: type) else { return }
        let idText = eventID.lowercasedString
        guard schema <= spec.version else {
            throw EventValidationError(
                code: .invalidField, field: "schema",
                reason: "is \(schema), but \(type) is known up to version \(spec.version)", eventID: idText)
        }
        let current = EventCatalogue.upcast(type: type, schema: schema, data: data).data
        for field in spec.fields {
            if let problem = field.problem(with: current[field.name]) {
                throw EventValidationError(
                    code: current[field.name] == nil ? .missingField : .invalidField, field: "data.\(field.name)",
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

    /// The native JSON form of this event (DESIGN.md §3), as a JSON object.
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
        var sawDot = false
        var atSegmentStart = true
        for byte in name.utf8 {
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
        return sawDot && !atSegmentStart && name.utf8.count <= 100
    }
}
