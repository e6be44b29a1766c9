import EnrollmentDomain

extension TimelineEntry {
    /// The JSON form of a timeline entry, shared by `timeline --format json|ndjson` and the HTTP API.
    public var json: JSONValue {
        .object([
            "enrollment": .string(enrollment),
            "position": .int(position),
            "event_id": .string(eventID.lowercasedString),
            "stream": .string(stream),
            "type": .string(type),
            "source": .string(source),
            "occurred_at": .string(occurredAt.iso8601),
            "recorded_at": .string(recordedAt.iso8601),
            "label": .string(label),
            "outcome": .string(outcome.rawValue),
            "gap_s": gapSeconds.map(JSONValue.double) ?? .null,
            "hint": hint.map { .object(["id": .string($0.id), "cause": .string($0.cause), "fix": .string($0.fix)]) }
                ?? .null,
        ])
    }

    /// The timeline document of `timeline --format json` and `GET /v1/timeline/{id}`: the subject, its
    /// enrollments and their entries.
    public static func document(subject: String, statuses: [DeviceStatus], entries: [TimelineEntry]) -> JSONValue {
        .object([
            "subject": .string(subject),
            "enrollments": .array(statuses.map(\.json)),
            "entries": .array(entries.map(\.json)),
        ])
    }
}
