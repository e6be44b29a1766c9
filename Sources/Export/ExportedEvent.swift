import EnrollmentDomain
import EventStore

extension RecordedEvent {
    /// The export form of a stored event: the native event fields plus `position`, `version`,
    /// `recorded_at` and `hash`. It re-ingests as is, and `verify --file` recomputes the chain from it.
    public var exportJSON: JSONValue {
        guard case .object(var members) = event.jsonValue else { return event.jsonValue }
        members["position"] = .int(position)
        members["version"] = .int(version)
        members["recorded_at"] = .string(recordedAt.iso8601)
        members["hash"] = .string(hashHex)
        members["user"] = event.user.map(JSONValue.string) ?? .null
        members["correlation_id"] = event.correlationID.map(JSONValue.string) ?? .null
        return .object(members)
    }
}
