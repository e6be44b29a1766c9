import EnrollmentDomain

extension DeviceStatus {
    /// The JSON form of an enrollment, shared by `devices`/`show --format json` and the HTTP API.
    public var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "enrollment": .string(enrollment),
            "ids": .array(uniqueIDs.map(JSONValue.string)),
            "id_kinds": .object(
                Dictionary(ids.map { ($0.value, JSONValue.string($0.kind.rawValue)) }) { first, _ in first }),
            "user": optional(user),
            "entra_user_id": optional(entraUserID),
            "state": .string(state.rawValue),
            "step": optional(step?.rawValue),
            "failure": failure.map { .object(["step": .string($0.step.rawValue), "reason": .string($0.reason)]) }
                ?? .null,
            "os_version": optional(osVersion),
            "model": optional(model),
            "first_seen": .string(firstSeen.iso8601),
            "last_seen": .string(lastSeen.iso8601),
            "last_step_at": .string(lastStepAt.iso8601),
            "time_to_enroll_s": timeToEnrollSeconds.map(JSONValue.double) ?? .null,
            "events": .int(Int64(events)),
            "stalled": .bool(stalled),
            "stalled_for_s": stalledForSeconds.map(JSONValue.double) ?? .null,
            "conflicts": .array(
                conflicts.map {
                    .object(["kind": .string($0.kind.rawValue), "ids": .array($0.ids.map(JSONValue.string))])
                }
            ),
            "last_problem": lastProblem.map {
                .object(["type": .string($0.type), "reason": .string($0.reason), "at": .string($0.at.iso8601)])
            } ?? .null,
        ])
    }

    /// Every id once (an attempt id is often also a stream), in the projection's order.
    public var uniqueIDs: [String] {
        var seen: Set<String> = []
        return ids.map(\.value).filter { seen.insert($0).inserted }
    }
}
