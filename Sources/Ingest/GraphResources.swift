import EnrollmentDomain
import Foundation

/// What one Graph object became: events, or why it was deliberately not one.
enum GraphMapping {
    case events([NewEvent])
    case skipped(String)
}

/// Tells which Graph resource an object of a page is, by its `@odata.type` or, when a tool dropped it
/// (PowerShell, `jq`), by the members only that resource has; then maps it.
///
/// | resource | from | mapper |
/// |---|---|---|
/// | `enrollmentTroubleshootingEvent` and other troubleshooting events | `/deviceManagement/troubleshootingEvents` | ``GraphEventMapper`` |
/// | `signIn` | `/auditLogs/signIns` | ``EntraSignInMapper`` |
/// | `managedDevice` | `/deviceManagement/managedDevices` | ``IntuneDeviceMapper`` |
/// | `auditEvent` | `/deviceManagement/auditEvents` | ``IntuneAuditMapper`` |
/// | `mobileAppInstallStatus` | `/deviceAppManagement/mobileApps/{id}/deviceStatuses` | ``AppInstallStatusMapper`` |
enum GraphResources {
    static func map(_ object: RecordFields) throws(RecordFailure) -> GraphMapping {
        let type = try object.nonEmptyString("@odata.type")?.lowercased() ?? ""
        func has(_ members: String...) -> Bool { members.allSatisfy(object.has) }
        if type.hasSuffix(".signin") || (type.isEmpty && has("userPrincipalName", "status")) {
            return .events([try EntraSignInMapper.event(object)])
        }
        if type.hasSuffix(".manageddevice") || (type.isEmpty && has("deviceEnrollmentType")) {
            return try IntuneDeviceMapper.events(object)
        }
        if type.hasSuffix(".auditevent") || (type.isEmpty && has("activityType")) {
            return try IntuneAuditMapper.events(object)
        }
        if type.hasSuffix(".mobileappinstallstatus") || (type.isEmpty && has("installState")) {
            return try AppInstallStatusMapper.events(object)
        }
        return .events([try GraphEventMapper.event(object)])
    }

    /// A non-empty id member that names something (not a nil or placeholder GUID), else `nil`.
    static func id(_ object: RecordFields, _ key: String) throws(RecordFailure) -> String? {
        guard let text = try object.nonEmptyString(key), !RecordChecks.isPlaceholderID(text) else { return nil }
        return text
    }

    /// The event id of a fact a snapshot restates (`kind`, the resource id, a time): the same in every
    /// snapshot that holds it, so re-reading a snapshot stores nothing new.
    static func factID(_ kind: String, _ parts: String...) -> UUID {
        NameBasedUUID.eventID(format: .graph, record: Array((["intune", kind] + parts).joined(separator: ":").utf8))
    }
}
