import EnrollmentDomain
import Foundation

/// Turns one Entra ID sign-in (Graph `signIn`, `/auditLogs/signIns`) into `account.signed_in` or
/// `account.sign_in_failed`.
///
/// `status.errorCode` 0 is a success; any other code fails with `reason` `AADSTS<code>` and the log's
/// `status.failureReason` as `message`. The sign-in names the user by UPN and Entra object id, so it
/// teaches the projections which UPN a Graph-only enrollment (known by `userId` alone) belongs to. The
/// stream is the sign-in's `correlationId` (else its `id`); the source `entra-signin`.
enum EntraSignInMapper {
    static func event(_ object: RecordFields) throws(RecordFailure) -> NewEvent {
        let occurredAt = try object.timestamp("createdDateTime")
        let upn = try object.requiredString("userPrincipalName")
        let graphID = try object.nonEmptyString("id")
        let correlationID = try GraphResources.id(object, "correlationId")
        guard let streamName = correlationID ?? graphID else {
            throw RecordFailure("\(object.name("correlationId")) is required (or at least \(object.name("id")))")
        }
        let stream = try RecordChecks.stream(
            streamName, from: object.name(correlationID != nil ? "correlationId" : "id"))
        guard let status = try object.object("status") else {
            throw RecordFailure("\(object.name("status")) is required")
        }
        guard let code = try status.integer("errorCode") else {
            throw RecordFailure("\(status.name("errorCode")) is required")
        }
        var data: [String: JSONValue] = [
            "upn": .string(upn), "method": .string("entra_sign_in"), "raw": .object(object.members),
        ]
        data["aad_user_id"] = try GraphResources.id(object, "userId").map(JSONValue.string)
        data["app"] = try object.nonEmptyString("appDisplayName").map(JSONValue.string)
        data["client_app"] = try object.nonEmptyString("clientAppUsed").map(JSONValue.string)
        data["conditional_access_status"] = try object.nonEmptyString("conditionalAccessStatus").map(JSONValue.string)
        if let device = try object.object("deviceDetail") {
            data["entra_device_id"] = try GraphResources.id(device, "deviceId").map(JSONValue.string)
            data["operating_system"] = try device.nonEmptyString("operatingSystem").map(JSONValue.string)
        }
        if code != 0 {
            data["error_code"] = .int(code)
            data["reason"] = .string("AADSTS\(code)")
            data["message"] = try status.nonEmptyString("failureReason").map(JSONValue.string)
        }
        let eventID =
            graphID.flatMap(UUID.init(hexString:))
            ?? NameBasedUUID.eventID(format: .graph, record: JSONValue.object(object.members).canonicalBytes)
        return NewEvent(
            eventID: eventID, stream: stream, type: code == 0 ? "account.signed_in" : "account.sign_in_failed",
            occurredAt: occurredAt, source: "entra-signin", user: upn, data: data)
    }
}
