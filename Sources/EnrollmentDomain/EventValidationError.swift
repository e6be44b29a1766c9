/// Why an event was refused: which field, and what was wrong with it.
///
/// The description names the field and the event id where known, never the payload's values, so it
/// can go into a ticket or a log without leaking personal data.
public struct EventValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The line is not valid JSON.
        public static let invalidJSON = Code(rawValue: "invalid_json")
        /// A required field is missing.
        public static let missingField = Code(rawValue: "missing_field")
        /// A field has the wrong type or an impossible value.
        public static let invalidField = Code(rawValue: "invalid_field")
        /// A field the envelope does not define.
        public static let unknownField = Code(rawValue: "unknown_field")
    }

    /// What kind of problem.
    public var code: Code
    /// The field's path: `event_id`, `data.http_status`; empty when the whole record is wrong.
    public var field: String
    /// What was wrong, in words.
    public var reason: String
    /// The event id, when it could be read.
    public var eventID: String?

    public init(code: Code, field: String, reason: String, eventID: String? = nil) {
        self.code = code
        self.field = field
        self.reason = reason
        self.eventID = eventID
    }

    public var description: String {
        var text = field.isEmpty ? reason : "field '\(field)' \(reason)"
        if let eventID { text += " (event \(eventID))" }
        return text
    }
}
