import EnrollmentDomain

/// Labels a support engineer understands, one per event type.
enum EventLabels {
    /// The label of an event; `effect` (its effect in its enrollment) tells a first TokenUpdate without a
    /// tally from a later one.
    static func label(type: String, data: [String: JSONValue], effect: EventEffect? = nil) -> String {
        func value(_ key: String) -> String? {
            switch data[key] {
            case .string(let text) where !text.isEmpty: text
            case .int(let number): String(number)
            default: nil
            }
        }
        func detail(_ keys: String...) -> String {
            let parts = keys.compactMap(value)
            return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        }
        func because(_ key: String) -> String { value(key).map { ": \($0)" } ?? "" }
        func text(_ key: String) -> String { value(key) ?? "unknown" }
        switch type {
        case "discovery.succeeded": return "Service discovery succeeded" + detail("model_family", "server_version")
        case "discovery.failed":
            return "Service discovery failed" + because("reason") + detail("http_status", "content_type")
        case "account.signed_in": return "Signed in to the work account" + detail("upn")
        case "account.sign_in_failed": return "Work-account sign-in failed" + because("reason")
        case "apple_id.signed_in": return "Signed in with the managed Apple ID" + detail("managed_apple_id")
        case "remote_management.allowed": return "Allowed remote management"
        case "remote_management.declined": return "Declined remote management"
        case "profile.installed": return "Management profile installed" + detail("profile_name")
        case "profile.install_failed": return "Management profile failed to install" + because("error_code")
        case "mdm.authenticated":
            let os = value("os_version").map { ["OS \($0)"] } ?? []
            let parts = os + [value("product_name")].compactMap { $0 }
            return "MDM check-in: Authenticate" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
        case "mdm.token_updated":
            let first = effect.map { $0 != .info } ?? (data["token_update_tally"]?.intValue == 1)
            return first ? "MDM enrollment completed (first TokenUpdate)" : "MDM check-in: TokenUpdate"
        case "mdm.checked_in":
            return "MDM check-in" + because("message_type") + (value("channel") == "user" ? " (user channel)" : "")
        case "intune.device_enrolled": return "Intune shows the device enrolled" + detail("model", "os_version")
        case "intune.device_synced": return "Intune: last check-in" + detail("management_state")
        case "intune.admin_action": return "Intune admin action: " + text("activity") + detail("actor", "result")
        case "mdm.command_failed":
            return "MDM command failed" + because("reason") + detail("request_type", "command_uuid")
        case "jit.registered": return "Registered with Entra ID (just-in-time)"
        case "jit.failed": return "Just-in-time registration failed" + because("reason")
        case "authenticator.install_requested": return "Microsoft Authenticator install requested"
        case "authenticator.installed": return "Microsoft Authenticator installed" + detail("version")
        case "authenticator.install_failed": return "Microsoft Authenticator failed to install" + because("reason")
        case "work_app.sign_in_blocked":
            return "Work app could not sign in" + because("reason") + detail("bundle_id")
        case "app.installed": return "App installed: " + (value("name") ?? value("bundle_id") ?? "unknown")
        case "enrollment.failed": return "Intune reports the enrollment failed" + because("reason")
        case "enrollment.fell_back": return "Fell back to Company Portal" + detail("os_version")
        case "device.unenrolled":
            return "Device unenrolled"
                + (value("by").map { " (by \($0)" + (value("actor").map { ": \($0)" } ?? "") + ")" } ?? "")
        case "identity.linked":
            let ids = IdentityKinds.named.compactMap { named in value(named.member).map { "\(named.member) \($0)" } }
            return "Ids linked: " + ids.joined(separator: ", ")
        default:
            return EventCatalogue.spec(for: type) == nil ? "Unknown event type \(type)" : type
        }
    }
}
