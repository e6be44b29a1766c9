import EnrollmentDomain

/// A troubleshooting hint: what probably happened, and what to do about it.
public struct Hint: Sendable, Hashable, Codable {
    /// A stable id of the rule that produced it, e.g. `discovery_not_found`.
    public var id: String
    public var cause: String
    public var fix: String

    /// `cause Fix: fix`, for one-line output.
    public var text: String { "\(cause) Fix: \(fix)" }
}

/// The knowledge base: which failure reasons and patterns mean what, as data.
///
/// A rule matches an event by type and, optionally, by a pattern (case-insensitive substring) found in
/// one of the listed `data` members. The first matching rule wins, so specific rules come before the
/// catch-all rule of the same type. Patterns that span several events (clock skew, steps out of order,
/// Authenticator never arriving) live in ``TimelineBuilder`` and use the ``patternHints``.
enum HintRules {
    struct Rule: Sendable {
        var types: Set<String>
        /// Substrings to look for (any), in `members`; empty: the type alone matches.
        var patterns: [String] = []
        var members: [String] = ["reason"]
        var hint: Hint
    }

    static func rule(
        _ id: String, _ types: Set<String>, _ patterns: [String] = [], in members: [String] = ["reason"],
        cause: String, fix: String
    ) -> Rule {
        Rule(types: types, patterns: patterns, members: members, hint: Hint(id: id, cause: cause, fix: fix))
    }

    static let discovery: Set = ["discovery.failed", "discovery.succeeded"]

    static let rules: [Rule] =
        intuneRules + [
            rule(
                "discovery_tenant_placeholder", discovery,
                ["tenant_placeholder", "tenant_id_placeholder", "*aadtenantid*"],
                in: ["reason", "base_url"],
                cause: "The BaseURL of the service discovery file still holds the `*aadTenantID*` placeholder.",
                fix: "Replace the placeholder in the BaseURL with the Entra tenant id (a GUID) and republish the file."),
            rule(
                "discovery_wrong_version", discovery, ["wrong_version", "mdm-adde"], in: ["reason", "server_version"],
                cause:
                    "The first server's Version is not `mdm-byod` (`mdm-adde` is account-driven *device* enrollment).",
                fix: "List the User Enrollment server with \"Version\": \"mdm-byod\" first in the Servers array."),
            rule(
                "discovery_not_found", ["discovery.failed"], ["not_found", "404"], in: ["reason", "http_status"],
                cause: "The service discovery file is not published: the domain of the user's UPN answered 404.",
                fix: "Publish the JSON at https://<domain>/.well-known/com.apple.remotemanagement on the UPN's "
                    + "domain, for GET with any query string."),
            rule(
                "discovery_wrong_content_type", ["discovery.failed"], ["wrong_content_type", "content_type"],
                cause: "The service discovery file was served with a Content-Type other than application/json.",
                fix: "Serve /.well-known/com.apple.remotemanagement with `Content-Type: application/json`."),
            rule(
                "discovery_invalid_json", ["discovery.failed"], ["invalid_json"],
                cause: "The service discovery answer is not valid JSON of the form {\"Servers\":[…]}.",
                fix: "Validate the file: {\"Servers\":[{\"Version\":\"mdm-byod\",\"BaseURL\":\"https://…\"}]}."),
            rule(
                "discovery_well_known_failed", ["discovery.failed"], ["well_known_failed", "403"],
                in: ["reason", "http_status"],
                cause: "The server refused discovery with a 403 `com.apple.well-known.failed`; the device showed its "
                    + "message to the user (iOS 17.5+).",
                fix:
                    "Check why the server refuses this user (allow-lists, conditional rules) and the message it returns."
            ),
            rule(
                "discovery_failed", ["discovery.failed"],
                cause: "Service discovery gave no usable answer.",
                fix: "Fetch https://<domain>/.well-known/com.apple.remotemanagement?user-identifier=<upn> yourself and "
                    + "check status, Content-Type, JSON, Version and BaseURL."),
            rule(
                "sso_app_preinstalled", ["account.sign_in_failed"],
                ["enrollment_sso_app_preinstalled", "enrollment sso application has been installed"],
                in: ["reason", "message"],
                cause: "Microsoft Authenticator (the enrollment SSO app) was installed before enrollment.",
                fix:
                    "Remove Microsoft Authenticator from the device, enroll, and let Intune install it as a managed app."
            ),
            rule(
                "account_sign_in_failed", ["account.sign_in_failed"],
                cause: "The work-account sign-in failed.",
                fix: "Check the user's credentials, MFA and Conditional Access sign-in logs in Entra ID."),
            rule(
                "remote_management_declined", ["remote_management.declined"],
                cause: "The user declined remote management; the enrollment ended there.",
                fix: "Explain what User Enrollment manages (work data only) and ask the user to enroll again and tap "
                    + "Allow Remote Management."),
            rule(
                "device_cap_reached", ["enrollment.failed"], ["devicecapreached", "device cap", "device limit"],
                cause: "The user has reached the maximum number of enrolled devices.",
                fix: "Retire the user's stale devices in Intune, or raise the device limit restriction."),
            rule(
                "profile_install_failed", ["profile.install_failed", "enrollment.failed"], ["profile"],
                in: ["reason", "error_code", "message"],
                cause: "The management profile failed to install (often the network, or a profile assignment issue).",
                fix:
                    "Retry on a stable network; check the user's enrollment profile assignment (highest priority wins; "
                    + "device groups are not supported for user enrollment)."),
            rule(
                "enrollment_failed", ["enrollment.failed"],
                cause: "Intune reports that the enrollment failed.",
                fix: "Look up the failure reason in Intune's enrollment troubleshooting for this user."),
            rule(
                "mdm_app_install_failed", ["mdm.command_failed"],
                ["installapplication", "installenterpriseapplication"],
                in: ["request_type"],
                cause: "The device refused an app install command (for Microsoft Authenticator this blocks work-app "
                    + "sign-in); error_chain says why.",
                fix: "Check the app's volume-purchase licences and assignment, then let the MDM send the install again."
            ),
            rule(
                "mdm_profile_command_failed", ["mdm.command_failed"], ["installprofile", "mcprofileerrordomain"],
                in: ["request_type", "reason"],
                cause: "The device refused a configuration profile; error_chain names the payload and the reason.",
                fix:
                    "Fix the payload the error names (User Enrollment allows fewer payloads) and send the profile again."
            ),
            rule(
                "mdm_command_failed", ["mdm.command_failed"],
                cause: "The device answered an MDM command with an error; error_chain holds Apple's codes and text.",
                fix: "Look the command up by its command_uuid in the MDM server, fix what error_chain names, resend it."
            ),
            rule(
                "jit_trailing_spaces", ["jit.failed"], ["trailing space"],
                cause: "The `device_registration` key or its `{{DEVICEREGISTRATION}}` value has trailing spaces.",
                fix: "Remove the trailing spaces in the SSO app extension profile and reassign it."),
            rule(
                "jit_failed", ["jit.failed"],
                cause: "Just-in-time registration through the SSO app extension failed.",
                fix: "Check the SSO app extension profile: key `device_registration`, value `{{DEVICEREGISTRATION}}`."),
            rule(
                "authenticator_install_failed", ["authenticator.install_failed"],
                cause: "Microsoft Authenticator failed to install.",
                fix: "Check the volume-purchase licences and the app's required assignment to the user."),
            rule(
                "authenticator_missing", ["work_app.sign_in_blocked"],
                cause: "A work app could not sign in: Microsoft Authenticator is not installed.",
                fix: "Assign Microsoft Authenticator as a required app (volume-purchased) to the user's group."),
            rule(
                "company_portal_fallback", ["enrollment.fell_back"],
                cause: "iOS/iPadOS 14.9 or earlier does not support account-driven User Enrollment: the device fell "
                    + "back to user enrollment with Company Portal.",
                fix: "Update the device to iOS/iPadOS 15 or later and enroll again."),
            rule(
                "unenrolled", ["device.unenrolled"],
                cause: "The device left management: the work volume, its data and its keys were erased.",
                fix: "Nothing to repair; to come back the user enrolls again (a new enrollment with a new id)."),
        ]

    private static let byType: [String: [Rule]] = Dictionary(
        grouping: rules.flatMap { rule in
            rule.types.map { ($0, rule) }
        }, by: \.0
    ).mapValues { $0.map(\.1) }

    /// The hint for one event, or `nil`.
    static func hint(type: String, data: [String: JSONValue]) -> Hint? {
        for rule in byType[type] ?? [] {
            if rule.patterns.isEmpty { return rule.hint }
            let texts = rule.members.compactMap { member -> String? in
                switch data[member] {
                case .string(let text): text.lowercased()
                case .int(let number): String(number)
                default: nil
                }
            }
            if rule.patterns.contains(where: { pattern in texts.contains { $0.contains(pattern) } }) {
                return rule.hint
            }
        }
        return nil
    }

    /// Hints for patterns across events (see ``TimelineBuilder``).
    static let patternHints: [String: Hint] = [
        "authenticator_not_assigned": Hint(
            id: "authenticator_not_assigned",
            cause: "The profile is installed but Microsoft Authenticator never arrived; work apps cannot sign in.",
            fix: "Assign Microsoft Authenticator as a required app (volume-purchased) to the user's group."),
        "steps_out_of_order": Hint(
            id: "steps_out_of_order",
            cause: "Recorded after a later step was already recorded: delivered late, or the source clocks disagree.",
            fix: "Nothing to do if the gap is small; the timeline shows events in occurred_at order."),
        "clock_skew": Hint(
            id: "clock_skew",
            cause: "Occurred more than 5 minutes after the store recorded it: the source's clock runs ahead.",
            fix: "Check NTP on the reporting system; order by recorded_at when in doubt."),
        "long_gap": Hint(
            id: "long_gap",
            cause: "More than a day passed since the previous event of this enrollment.",
            fix: "If the user gave up, a new attempt shows up as a new enrollment of the same user."),
    ]
}
