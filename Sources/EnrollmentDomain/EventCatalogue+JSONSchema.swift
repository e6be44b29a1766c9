extension EventTypeSpec {
    /// The JSON Schema (draft 2020-12) of a whole native event line of this type at its current version.
    ///
    /// The files under `Schema/events/` are these documents; a test fails when they drift from the code.
    public var jsonSchema: JSONValue {
        var properties: [String: JSONValue] = [:]
        for field in fields {
            var property: [String: JSONValue] = ["description": .string(field.summary)]
            switch field.kind {
            case .string: property["type"] = .string("string")
            case .text:
                property["type"] = .string("string")
                property["pattern"] = .string("\\S")
            case .integer: property["type"] = .string("integer")
            case .boolean: property["type"] = .string("boolean")
            case .object: property["type"] = .string("object")
            case .dateTime:
                property["type"] = .string("string")
                property["format"] = .string("date-time")
            }
            if !field.required {
                property["type"] = .array([property["type"]!, .string("null")])
            }
            properties[field.name] = .object(property)
        }
        var data: [String: JSONValue] = [
            "type": .string("object"),
            "properties": .object(properties),
            "additionalProperties": .bool(true),
        ]
        let required = fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { data["required"] = .array(required) }
        if !requiresOneOf.isEmpty {
            data["anyOf"] = .array(requiresOneOf.map { .object(["required": .array([.string($0)])]) })
        }
        let string: JSONValue = .object(["type": .string("string"), "minLength": .int(1)])
        let optionalString: JSONValue = .object(["type": .array([.string("string"), .string("null")])])
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("https://enroll-audit.invalid/schema/events/\(name).json"),
            "title": .string(name),
            "description": .string(summary),
            "type": .string("object"),
            "required": .array(["event_id", "stream", "type", "occurred_at", "source"].map(JSONValue.string)),
            "properties": .object([
                "event_id": .object(["type": .string("string"), "format": .string("uuid")]),
                "stream": .object(["type": .string("string"), "minLength": .int(1), "maxLength": .int(256)]),
                "type": .object(["const": .string(name)]),
                "schema": .object([
                    "type": .string("integer"), "minimum": .int(1), "maximum": .int(Int64(version)),
                    "default": .int(1),
                    "description": .string("The schema version of data; this document describes version \(version)."),
                ]),
                "occurred_at": .object(["type": .string("string"), "format": .string("date-time")]),
                "source": string,
                "user": optionalString,
                "correlation_id": optionalString,
                "data": .object(data),
                // Added by the store; present in exports, ignored on ingest.
                "position": .object(["type": .string("integer"), "minimum": .int(1)]),
                "version": .object(["type": .string("integer"), "minimum": .int(1)]),
                "recorded_at": .object(["type": .string("string"), "format": .string("date-time")]),
                "hash": .object(["type": .string("string"), "pattern": .string("^[0-9a-f]{64}$")]),
                "proof": .object([
                    "type": .string("string"),
                    "description": .string("A C2SP tlog-proof@v1 of the event's inclusion in a signed checkpoint."),
                ]),
            ]),
            "additionalProperties": .bool(false),
        ])
    }
}
