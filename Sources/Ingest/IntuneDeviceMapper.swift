import EnrollmentDomain

/// Turns one Intune managed device (Graph `managedDevice`, `/deviceManagement/managedDevices`) of a
/// snapshot into inventory facts.
///
/// A User Enrollment device (`deviceEnrollmentType` `appleUserEnrollment` or
/// `appleUserEnrollmentWithServiceAccount`) yields `intune.device_enrolled` at `enrolledDateTime` (the MDM
/// enrollment completed) and `intune.device_synced` at `lastSyncDateTime` (last seen), both in the stream
/// of the Intune device id and linking it to the Entra device id (`azureADDeviceId`), the UPN and the
/// Entra user id. Their ids are made from the device id and the time, so the next snapshot restates them
/// (duplicates) unless the device synced again. Other enrollment types are skipped. A device missing
/// from a later snapshot yields nothing: absence is not an unenrollment.
enum IntuneDeviceMapper {
    static let userEnrollmentTypes: Set<String> = ["appleUserEnrollment", "appleUserEnrollmentWithServiceAccount"]
    /// What Graph writes for a time it does not know.
    static let unknownTime = Timestamp(iso8601: "0001-01-01T00:00:00Z")

    static func events(_ object: RecordFields) throws(RecordFailure) -> GraphMapping {
        let enrollmentType = try object.nonEmptyString("deviceEnrollmentType") ?? "unknown"
        guard userEnrollmentTypes.contains(enrollmentType) else {
            return .skipped("not a User Enrollment device")
        }
        guard let deviceID = try GraphResources.id(object, "id") else {
            throw RecordFailure("\(object.name("id")) is required (the Intune device id)")
        }
        let stream = try RecordChecks.stream(deviceID, from: object.name("id"))
        let upn = try object.nonEmptyString("userPrincipalName")
        var data: [String: JSONValue] = [
            "intune_device_id": .string(deviceID), "enrollment_type": .string(enrollmentType),
        ]
        data["entra_device_id"] = try GraphResources.id(object, "azureADDeviceId").map(JSONValue.string)
        data["aad_user_id"] = try GraphResources.id(object, "userId").map(JSONValue.string)
        data["upn"] = upn.map(JSONValue.string)
        data["model"] = try object.nonEmptyString("model").map(JSONValue.string)
        data["os_version"] = try object.nonEmptyString("osVersion").map(JSONValue.string)
        data["operating_system"] = try object.nonEmptyString("operatingSystem").map(JSONValue.string)
        data["management_state"] = try object.nonEmptyString("managementState").map(JSONValue.string)
        data["raw"] = .object(object.members)
        var events: [NewEvent] = []
        let enrolled = try object.timestamp("enrolledDateTime")
        if enrolled != unknownTime {
            events.append(
                NewEvent(
                    eventID: GraphResources.factID("device_enrolled", deviceID, enrolled.iso8601), stream: stream,
                    type: "intune.device_enrolled", occurredAt: enrolled, source: "intune-graph", user: upn, data: data)
            )
        }
        let synced = try object.timestamp("lastSyncDateTime")
        if synced != unknownTime {
            var data = data
            if enrolled != unknownTime { data["enrolled_at"] = .string(enrolled.iso8601) }
            events.append(
                NewEvent(
                    eventID: GraphResources.factID("device_synced", deviceID, synced.iso8601), stream: stream,
                    type: "intune.device_synced", occurredAt: synced, source: "intune-graph", user: upn, data: data))
        }
        return events.isEmpty ? .skipped("a managed device with no enrollment or sync time") : .events(events)
    }
}
