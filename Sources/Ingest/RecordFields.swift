import EnrollmentDomain

/// Why one input record was refused; `reason` names the field, e.g. `created_at is required`.
struct RecordFailure: Error {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// Typed reads of a JSON object's members whose errors name the member's path (`checkin_event.udid`).
struct RecordFields {
    let members: [String: JSONValue]
    /// The object's own path, prefixed to member names in errors; empty for a top-level record.
    let path: String

    init(_ members: [String: JSONValue], path: String = "") {
        self.members = members
        self.path = path
    }

    /// The path of member `key`.
    func name(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Whether `key` is present and not null.
    func has(_ key: String) -> Bool {
        members[key].map { $0 != .null } ?? false
    }

    /// A string member; absent or null is `nil`, another type is an error.
    func string(_ key: String) throws(RecordFailure) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard let text = value.stringValue else {
            throw RecordFailure("\(name(key)) must be a string, not \(value.typeName)")
        }
        return text
    }

    /// A string member that must be there and not be empty.
    func requiredString(_ key: String) throws(RecordFailure) -> String {
        guard let text = try string(key) else { throw RecordFailure("\(name(key)) is required") }
        guard !text.isEmpty else { throw RecordFailure("\(name(key)) must not be empty") }
        return text
    }

    /// A non-empty string member, or `nil` when it is absent, null or empty.
    func nonEmptyString(_ key: String) throws(RecordFailure) -> String? {
        guard let text = try string(key), !text.isEmpty else { return nil }
        return text
    }

    /// An integer member; absent or null is `nil`.
    func integer(_ key: String) throws(RecordFailure) -> Int64? {
        guard let value = members[key], value != .null else { return nil }
        guard let number = value.intValue else {
            throw RecordFailure("\(name(key)) must be an integer, not \(value.typeName)")
        }
        return number
    }

    /// An object member; absent or null is `nil`.
    func object(_ key: String) throws(RecordFailure) -> RecordFields? {
        guard let value = members[key], value != .null else { return nil }
        guard let object = value.objectValue else {
            throw RecordFailure("\(name(key)) must be an object, not \(value.typeName)")
        }
        return RecordFields(object, path: name(key))
    }

    /// A required RFC 3339 date-time member.
    func timestamp(_ key: String) throws(RecordFailure) -> Timestamp {
        let text = try requiredString(key)
        guard let time = Timestamp(iso8601: text) else {
            throw RecordFailure("\(name(key)) must be an RFC 3339 date-time such as 2026-10-01T16:35:20.116Z")
        }
        return time
    }
}

enum RecordChecks {
    /// Checks that `stream` fits the store's rules (1–256 bytes, no control characters).
    ///
    /// - Parameter field: what the stream was made from, for the error.
    static func stream(_ stream: String, from field: String) throws(RecordFailure) -> String {
        guard !stream.isEmpty else { throw RecordFailure("\(field) must not be empty") }
        guard stream.utf8.count <= NewEvent.maximumStreamLength else {
            throw RecordFailure("\(field) is longer than \(NewEvent.maximumStreamLength) bytes")
        }
        guard !stream.unicodeScalars.contains(where: isControl) else {
            throw RecordFailure("\(field) must not contain control characters")
        }
        return stream
    }

    /// Whether `scalar` is a control character (general category Cc): U+0000–U+001F and U+007F–U+009F, a set
    /// Unicode's stability policy fixes, so no property lookup is needed.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether `id` names nothing: empty, blank, a nil GUID (`00000000-0000-0000-0000-000000000000`, any
    /// case, braces or not) or another all-zero id. Such ids are never identity links.
    static func isPlaceholderID(_ id: String) -> Bool {
        let significant = id.filter { $0 != "-" && $0 != "{" && $0 != "}" && $0 != " " }
        return significant.isEmpty || significant.allSatisfy { $0 == "0" }
    }

    /// Whether a line holds nothing but spaces and tabs.
    static func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

extension DecodedRecord {
    /// The record of a decode: its events, or its failure as a rejection.
    init(line: Int, raw: [UInt8], _ decode: () throws(RecordFailure) -> [NewEvent]) {
        do {
            self.init(line: line, raw: raw, outcome: .events(try decode()))
        } catch {
            self.init(line: line, raw: raw, outcome: .rejected(reason: error.reason))
        }
    }
}
