import EnrollmentDomain
import Foundation

/// Turns one Graph troubleshooting event object into a store event.
///
/// - `#microsoft.graph.enrollmentTroubleshootingEvent` (or an object without `@odata.type` that has
///   `failureCategory` or `enrollmentType`) becomes `enrollment.failed`.
/// - Any other `@odata.type` (the plain `deviceManagementTroubleshootingEvent`,
///   `mobileAppTroubleshootingEvent`, …) is **stored** as `enrollment.troubleshooting_reported`, a type the
///   catalogue does not know, so it is flagged as unknown. Skipping it would throw away a fact Intune
///   reported about the same correlation id, and the log keeps every well-formed fact (docs/events.md,
///   "Validation"); projections ignore unknown types, so storing it costs nothing but a row (Graph volumes
///   are small).
///
/// The stream is `correlationId` (else `id`), the time `eventDateTime`, the source `intune-graph`, and the
/// event id Graph's own `id` when it is a UUID, else derived from the object's canonical JSON.
enum GraphEventMapper {
    static let enrollmentType = "#microsoft.graph.enrollmentTroubleshootingEvent"

    static func event(_ object: RecordFields) throws(RecordFailure) -> NewEvent {
        let odataType = try object.nonEmptyString("@odata.type")
        let graphID = try object.nonEmptyString("id")
        let occurredAt = try object.timestamp("eventDateTime")
        let correlationID = try object.nonEmptyString("correlationId").flatMap {
            RecordChecks.isPlaceholderID($0) ? nil : $0
        }
        let streamField = correlationID != nil ? "correlationId" : "id"
        guard let streamName = correlationID ?? graphID else {
            throw RecordFailure("\(object.name("correlationId")) is required (or at least \(object.name("id")))")
        }
        let stream = try RecordChecks.stream(streamName, from: object.name(streamField))
        let isEnrollment =
            odataType == enrollmentType
            || (odataType == nil && (object.has("failureCategory") || object.has("enrollmentType")))
        var data: [String: JSONValue] = ["raw": .object(object.members)]
        func copy(_ member: String, to key: String) throws(RecordFailure) {
            if let text = try object.nonEmptyString(member) { data[key] = .string(text) }
        }
        /// Ids link enrollments: a nil or placeholder id (`00000000-…`, empty) would join strangers.
        func copyID(_ member: String, to key: String) throws(RecordFailure) {
            if let text = try object.nonEmptyString(member), !RecordChecks.isPlaceholderID(text) {
                data[key] = .string(text)
            }
        }
        let type: String
        if isEnrollment {
            type = "enrollment.failed"
            try copy("failureCategory", to: "category")
            let reason = try object.nonEmptyString("failureReason")
            let category = try object.nonEmptyString("failureCategory")
            data["reason"] = .string(reason ?? category ?? "unspecified")
            try copyID("userId", to: "aad_user_id")
            try copyID("managedDeviceIdentifier", to: "intune_device_id")
            try copyID("deviceId", to: "entra_device_id")
            try copy("osVersion", to: "os_version")
            try copy("operatingSystem", to: "operating_system")
            try copy("enrollmentType", to: "enrollment_type")
        } else {
            type = "enrollment.troubleshooting_reported"
            data["odata_type"] = .string(odataType ?? "#microsoft.graph.deviceManagementTroubleshootingEvent")
            try copyID("userId", to: "aad_user_id")
            try copyID("managedDeviceIdentifier", to: "intune_device_id")
        }
        let eventID =
            graphID.flatMap(UUID.init(hexString:))
            ?? NameBasedUUID.eventID(format: .graph, record: JSONValue.object(object.members).canonicalBytes)
        return NewEvent(
            eventID: eventID, stream: stream, type: type, occurredAt: occurredAt, source: "intune-graph", data: data)
    }
}
