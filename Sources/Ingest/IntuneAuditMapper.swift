import EnrollmentDomain
import Foundation

/// Turns one Intune audit event (Graph `auditEvent`, `/deviceManagement/auditEvents`) about a managed
/// device into a timeline fact: a successful retire, wipe or delete is `device.unenrolled` by an admin,
/// naming who did it; any other action on a device is `intune.admin_action`. Audit events about anything
/// but a managed device (policies, apps, roles) are skipped.
///
/// The stream is the device's resource id (the Intune device id, the stream of its `managedDevice`
/// facts); the source `intune-graph`; no user (the actor is the admin, not the device's user).
enum IntuneAuditMapper {
    static let unenrollingActions = ["retire", "wipe", "delete"]

    static func events(_ object: RecordFields) throws(RecordFailure) -> GraphMapping {
        let occurredAt = try object.timestamp("activityDateTime")
        let activityType = try object.requiredString("activityType")
        guard let resources = object.members["resources"], resources != .null else {
            return .skipped("not about a managed device")
        }
        guard case .array(let list) = resources else {
            throw RecordFailure("\(object.name("resources")) must be an array, not \(resources.typeName)")
        }
        var deviceID: String?
        for (index, element) in list.enumerated() {
            guard let members = element.objectValue else {
                throw RecordFailure("\(object.name("resources"))[\(index)] must be an object, not \(element.typeName)")
            }
            let resource = RecordFields(members, path: "\(object.name("resources"))[\(index)]")
            var kind = try resource.nonEmptyString("type") ?? ""
            if kind.isEmpty { kind = try resource.nonEmptyString("auditResourceType") ?? "" }
            if kind.lowercased().contains("manageddevice"), let id = try GraphResources.id(resource, "resourceId") {
                deviceID = id
                break
            }
        }
        guard let deviceID else { return .skipped("not about a managed device") }
        let stream = try RecordChecks.stream(deviceID, from: object.name("resources"))
        let actor = try object.object("actor")
        var who = try actor?.nonEmptyString("userPrincipalName")
        if who == nil { who = try actor?.nonEmptyString("applicationDisplayName") }
        let result = try object.nonEmptyString("activityResult")
        let succeeded = result.map { $0.lowercased() == "success" } ?? true
        let lowered = activityType.lowercased()
        let unenrolls = succeeded && unenrollingActions.contains { lowered.contains($0) }
        var data: [String: JSONValue] = [
            "intune_device_id": .string(deviceID), "activity_type": .string(activityType),
            "raw": .object(object.members),
        ]
        data["actor"] = who.map(JSONValue.string)
        data["result"] = result.map(JSONValue.string)
        if unenrolls {
            data["by"] = .string("admin")
            data["reason"] = .string(activityType)
        } else {
            let name = try object.nonEmptyString("displayName")
            data["activity"] = .string(name ?? activityType)
        }
        let graphID = try object.nonEmptyString("id")
        let eventID =
            graphID.flatMap(UUID.init(hexString:))
            ?? NameBasedUUID.eventID(format: .graph, record: JSONValue.object(object.members).canonicalBytes)
        return .events([
            NewEvent(
                eventID: eventID, stream: stream, type: unenrolls ? "device.unenrolled" : "intune.admin_action",
                occurredAt: occurredAt, source: "intune-graph", data: data)
        ])
    }
}
