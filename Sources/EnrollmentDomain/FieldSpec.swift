/// What one member of an event's `data` must be.
public struct FieldSpec: Sendable, Hashable {
    /// The kinds of value the catalogue distinguishes.
    public enum Kind: String, Sendable, Hashable {
        /// Any string, possibly empty.
        case string
        /// A string with at least one character that is not whitespace.
        case text
        /// An integer.
        case integer
        /// `true` or `false`.
        case boolean
        /// A JSON object.
        case object
        /// An ISO 8601 date-time string.
        case dateTime = "date-time"
    }

    /// The member's name in `data`.
    public var name: String
    /// What its value must be.
    public var kind: Kind
    /// Whether it must be present and not null.
    public var required: Bool
    /// One line for the documentation and JSON Schema.
    public var summary: String

    public init(_ name: String, _ kind: Kind, required: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.summary = summary
    }

    /// Checks `value` against this spec.
    ///
    /// - Returns: why it does not fit, or `nil` when it does.
    public func problem(with value: JSONValue?) -> String? {
        guard let value, value != .null else {
            return required ? "is required" : nil
        }
        switch kind {
        case .string:
            if value.stringValue == nil { return "must be a string, not \(value.typeName)" }
        case .text:
            guard let text = value.stringValue else { return "must be a string, not \(value.typeName)" }
            if FieldSpec.isBlank(text) { return "must not be empty" }
        case .integer:
            if value.intValue == nil { return "must be an integer, not \(value.typeName)" }
        case .boolean:
            if value.boolValue == nil { return "must be a boolean, not \(value.typeName)" }
        case .object:
            if value.objectValue == nil { return "must be an object, not \(value.typeName)" }
        case .dateTime:
            guard let text = value.stringValue else { return "must be a date-time string, not \(value.typeName)" }
            if Timestamp(iso8601: text) == nil { return "must be an ISO 8601 date-time" }
        }
        return nil
    }

    /// Whether `text` is empty or all whitespace (`Character.isWhitespace`). A text that starts with an
    /// ASCII character above the space (none of them is whitespace) is answered without walking its
    /// characters.
    static func isBlank(_ text: String) -> Bool {
        if let first = text.utf8.first, first > 0x20, first < 0x80 { return false }
        return text.allSatisfy(\.isWhitespace)
    }
}

/// One event type of the catalogue: its meaning, its current schema and how older versions upcast.
public struct EventTypeSpec: Sendable {
    /// The dotted type name, e.g. `profile.installed`.
    public var name: String
    /// The enrollment step it belongs to, for documentation (e.g. "Service discovery").
    public var step: String
    /// What the event means, in a sentence.
    public var summary: String
    /// The current schema version; producers may send any version from 1 to this one.
    public var version: Int
    /// The members of `data` at the current version. Other members are allowed and kept.
    public var fields: [FieldSpec]
    /// At least one of these members must be present (empty: no such rule).
    public var requiresOneOf: [String]
    /// Upcasters: `upcasters[v - 1]` turns version `v` data into version `v + 1`.
    public var upcasters: [@Sendable ([String: JSONValue]) -> [String: JSONValue]]

    public init(
        _ name: String, step: String, _ summary: String, version: Int = 1, fields: [FieldSpec] = [],
        requiresOneOf: [String] = [],
        upcasters: [@Sendable ([String: JSONValue]) -> [String: JSONValue]] = []
    ) {
        precondition(upcasters.count == version - 1, "\(name): one upcaster per version step")
        self.name = name
        self.step = step
        self.summary = summary
        self.version = version
        self.fields = fields
        self.requiresOneOf = requiresOneOf
        self.upcasters = upcasters
    }
}
