import EnrollmentDomain
import Foundation

/// Turns one install status of Microsoft Authenticator (Graph `mobileAppInstallStatus`, the app's
/// `deviceStatuses`; export the Authenticator app's) into `authenticator.installed` or
/// `authenticator.install_failed`.
///
/// `installState` `installed` is an install, `failed` (and `uninstallFailed`) a failure with its
/// `errorCode` (as Intune shows it, `0x87D1041C`) and `installStateDetail`; other states (`pendingInstall`,
/// `notInstalled`, `notApplicable`, `unknown`) are skipped. The stream is the Intune device id
/// (`deviceId`), the time `lastSyncDateTime`, the user `userPrincipalName`.
enum AppInstallStatusMapper {
    static let bundleID = "com.microsoft.azureauthenticator"
    /// The `installState` values (Graph `resultantAppState`) that are neither an install nor a failure.
    static let skippedStates: Set<String> = [
        "notInstalled", "pendingInstall", "notApplicable", "unknown", "unknownFutureValue",
    ]

    static func events(_ object: RecordFields) throws(RecordFailure) -> GraphMapping {
        let state = try object.requiredString("installState")
        let failed = state == "failed" || state == "uninstallFailed"
        guard state == "installed" || failed else {
            // The reason is counted and printed: only Graph's own state names go into it.
            let known = skippedStates.contains(state) ? state : "another state"
            return .skipped("Authenticator not installed yet (\(known))")
        }
        guard let deviceID = try GraphResources.id(object, "deviceId") else {
            throw RecordFailure("\(object.name("deviceId")) is required (the Intune device id)")
        }
        let stream = try RecordChecks.stream(deviceID, from: object.name("deviceId"))
        let occurredAt = try object.timestamp("lastSyncDateTime")
        let upn = try object.nonEmptyString("userPrincipalName")
        var data: [String: JSONValue] = [
            "bundle_id": .string(bundleID), "intune_device_id": .string(deviceID), "install_state": .string(state),
            "raw": .object(object.members),
        ]
        data["version"] = try object.nonEmptyString("displayVersion").map(JSONValue.string)
        if failed {
            let detail = try object.nonEmptyString("installStateDetail")
            let code = try object.integer("errorCode").map { String(format: "0x%08X", UInt32(truncatingIfNeeded: $0)) }
            data["error_code"] = code.map(JSONValue.string)
            data["install_state_detail"] = detail.map(JSONValue.string)
            data["reason"] = .string([detail, code].compactMap { $0 }.joined(separator: " ").nonEmpty ?? state)
        }
        return .events([
            NewEvent(
                eventID: NameBasedUUID.eventID(format: .graph, record: JSONValue.object(object.members).canonicalBytes),
                stream: stream, type: failed ? "authenticator.install_failed" : "authenticator.installed",
                occurredAt: occurredAt, source: "intune-graph", user: upn, data: data)
        ])
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
