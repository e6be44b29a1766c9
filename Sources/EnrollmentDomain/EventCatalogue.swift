/// Every event type the store knows, as data: the single source for validation, upcasting,
/// `Schema/events/*.json` and `docs/events.md`.
///
/// Members of `data` not listed are allowed and kept (sources add detail over time); listed members
/// must have the listed kind. A type not in the catalogue is stored but flagged as unknown.
public enum EventCatalogue {
    /// All known types, in the order a healthy enrollment meets them.
    public static let all: [EventTypeSpec] = [
        EventTypeSpec(
            "discovery.succeeded", step: "Service discovery",
            "The device's `GET /.well-known/com.apple.remotemanagement` returned a usable `mdm-byod` server.",
            fields: [
                FieldSpec("domain", .text, required: true, "The domain of the work account, e.g. `contoso.com`."),
                FieldSpec("user_identifier", .text, required: true, "The `user-identifier` the device sent."),
                FieldSpec("model_family", .string, "The `model-family` the device sent: `iPhone`, `iPad`."),
                FieldSpec("http_status", .integer, "The HTTP status of the answer."),
                FieldSpec("content_type", .string, "The Content-Type of the answer."),
                FieldSpec("server_version", .string, "The `Version` of the first server listed."),
                FieldSpec("base_url", .string, "The `BaseURL` of the first server listed."),
            ]),
        EventTypeSpec(
            "discovery.failed", step: "Service discovery",
            "Service discovery gave no usable answer: 404, wrong Content-Type, invalid JSON, wrong `Version`, "
                + "tenant-id placeholder, or a 403 `com.apple.well-known.failed`.",
            fields: [
                FieldSpec("domain", .text, required: true, "The domain of the work account."),
                FieldSpec("user_identifier", .text, required: true, "The `user-identifier` the device sent."),
                FieldSpec("model_family", .string, "The `model-family` the device sent."),
                FieldSpec("http_status", .integer, "The HTTP status of the answer."),
                FieldSpec("content_type", .string, "The Content-Type of the answer."),
                FieldSpec(
                    "reason", .text, required: true,
                    "Why: `not_found`, `wrong_content_type`, `invalid_json`, `wrong_version`, "
                        + "`tenant_id_placeholder`, `well_known_failed`, …"),
                FieldSpec("message", .string, "The message shown to the user (403 `com.apple.well-known.failed`)."),
            ]),
        EventTypeSpec(
            "account.signed_in", step: "Work-account sign-in",
            "The user signed in to the work account in Settings.",
            fields: [
                FieldSpec("upn", .text, required: true, "The user principal name."),
                FieldSpec("aad_user_id", .string, "The Entra object id of the user; links Graph events to the UPN."),
                FieldSpec("method", .string, "How: `work_account`, or `entra_sign_in` from the Entra sign-in log."),
            ] + signInLogFields),
        EventTypeSpec(
            "account.sign_in_failed", step: "Work-account sign-in",
            "The work-account sign-in failed.",
            fields: [
                FieldSpec("upn", .string, "The user principal name."),
                FieldSpec(
                    "reason", .text, required: true,
                    "Why, e.g. `enrollment_sso_app_preinstalled`, or `AADSTS<code>` from the Entra sign-in log."),
                FieldSpec("message", .string, "The message the device showed (the sign-in log's `failureReason`)."),
                FieldSpec("aad_user_id", .string, "The Entra object id of the user."),
                FieldSpec("error_code", .integer, "The sign-in log's `status.errorCode` (the AADSTS number)."),
            ] + signInLogFields),
        EventTypeSpec(
            "apple_id.signed_in", step: "Managed Apple ID sign-in",
            "The user signed in with the managed Apple ID.",
            fields: [FieldSpec("managed_apple_id", .string, "The managed Apple ID.")]),
        EventTypeSpec(
            "remote_management.allowed", step: "Allow Remote Management",
            "The user tapped Allow Remote Management."),
        EventTypeSpec(
            "remote_management.declined", step: "Allow Remote Management",
            "The user declined remote management; the enrollment ends here."),
        EventTypeSpec(
            "profile.installed", step: "Management profile",
            "The management profile installed; from here the device is known by its enrollment id.",
            fields: [
                FieldSpec("profile_name", .string, "The enrollment profile that won (highest priority)."),
                FieldSpec("priority", .integer, "Its priority."),
                FieldSpec("enrollment_id", .string, "The device's `EnrollmentID`; links this attempt to MDM events."),
            ]),
        EventTypeSpec(
            "profile.install_failed", step: "Management profile",
            "The management profile failed to install.",
            fields: [
                FieldSpec("error_code", .text, required: true, "The error code, e.g. `ProfileInstallationFailed`."),
                FieldSpec("message", .string, "The message the device showed."),
            ]),
        EventTypeSpec(
            "mdm.authenticated", step: "Management profile",
            "The device's first MDM check-in (`Authenticate`) reached the MDM server.",
            fields: mdmFields + [
                FieldSpec("os_version", .string, "`OSVersion` from the check-in."),
                FieldSpec("build_version", .string, "`BuildVersion` from the check-in."),
                FieldSpec("product_name", .string, "`ProductName` from the check-in, e.g. `iPhone15,2`."),
            ]),
        EventTypeSpec(
            "mdm.token_updated", step: "Management profile",
            "A `TokenUpdate` check-in; the first one (`token_update_tally` 1) completes the MDM enrollment.",
            fields: mdmFields + [FieldSpec("token_update_tally", .integer, "How many TokenUpdates so far; 1 = first.")]
        ),
        EventTypeSpec(
            "mdm.checked_in", step: "Management profile",
            "Any other MDM check-in or command result (DeclarativeManagement, Connect, acknowledgements).",
            fields: mdmFields + [FieldSpec("message_type", .text, required: true, "The check-in `MessageType`.")]),
        EventTypeSpec(
            "mdm.command_failed", step: "Management profile",
            "The device answered an MDM command with `Error` or `CommandFormatError` (a command result, topic "
                + "`mdm.Connect`). `error_chain` holds Apple's `ErrorChain` as `[{code, domain, description}]`.",
            fields: mdmFields + [
                FieldSpec("status", .text, required: true, "The result's `Status`: `Error` or `CommandFormatError`."),
                FieldSpec("command_uuid", .string, "The command's `CommandUUID`."),
                FieldSpec("request_type", .string, "The command's `RequestType`, where the result names it."),
                FieldSpec(
                    "reason", .text, required: true,
                    "The first error's domain and code, e.g. `MCInstallationErrorDomain 4001`; else the status."),
            ]),
        EventTypeSpec(
            "intune.device_enrolled", step: "Management profile",
            "Intune's inventory (Graph `managedDevice`) shows the device enrolled at `enrolledDateTime`: the MDM "
                + "enrollment completed.",
            fields: intuneDeviceFields),
        EventTypeSpec(
            "intune.device_synced", step: "Management profile",
            "Intune's inventory shows the device's last check-in at `lastSyncDateTime` (last seen). A device "
                + "missing from a later snapshot is not unenrolled by that alone.",
            fields: intuneDeviceFields + [FieldSpec("enrolled_at", .dateTime, "`enrolledDateTime`.")]),
        EventTypeSpec(
            "intune.admin_action", step: "Management profile",
            "An Intune admin action on the device (Graph `auditEvent`) other than a retire, wipe or delete.",
            fields: [
                FieldSpec(
                    "intune_device_id", .text, required: true, "The managed device's id (`resources[].resourceId`)."),
                FieldSpec("activity", .text, required: true, "The action (`displayName`, else `activityType`)."),
                FieldSpec("activity_type", .string, "`activityType`."),
                FieldSpec("actor", .string, "Who: the actor's UPN, else the application's name."),
                FieldSpec("result", .string, "`activityResult`."),
            ]),
        EventTypeSpec(
            "jit.registered", step: "Just-in-time registration",
            "The device registered with Entra ID through the SSO app extension.",
            fields: [FieldSpec("entra_device_id", .string, "The Entra device id, where reported.")]),
        EventTypeSpec(
            "jit.failed", step: "Just-in-time registration",
            "Just-in-time registration failed.",
            fields: [
                FieldSpec("reason", .text, required: true, "Why, e.g. `device_registration key has trailing spaces`.")
            ]
        ),
        EventTypeSpec(
            "authenticator.install_requested", step: "Microsoft Authenticator",
            "The MDM asked the device to install Microsoft Authenticator (required, volume-purchased).",
            fields: [FieldSpec("bundle_id", .string, "`com.microsoft.azureauthenticator`.")]),
        EventTypeSpec(
            "authenticator.installed", step: "Microsoft Authenticator",
            "Microsoft Authenticator is installed; work apps can sign in.",
            version: 2,
            fields: [
                FieldSpec("bundle_id", .string, "`com.microsoft.azureauthenticator`."),
                FieldSpec("version", .string, "The installed version (schema 1 producers called it `app_version`)."),
            ],
            upcasters: [renameMember("app_version", to: "version")]),
        EventTypeSpec(
            "authenticator.install_failed", step: "Microsoft Authenticator",
            "Microsoft Authenticator failed to install.",
            fields: [
                FieldSpec("bundle_id", .string, "`com.microsoft.azureauthenticator`."),
                FieldSpec("reason", .text, required: true, "Why (Intune: `installStateDetail` and the error code)."),
                FieldSpec("error_code", .string, "Intune's error code, as Intune shows it: `0x87D1041C`."),
                FieldSpec("intune_device_id", .string, "The managed device's id (Intune install status)."),
            ]),
        EventTypeSpec(
            "work_app.sign_in_blocked", step: "Work apps",
            "A work app could not sign in (a symptom, usually: Authenticator missing).",
            fields: [
                FieldSpec("bundle_id", .text, required: true, "The work app."),
                FieldSpec("reason", .text, required: true, "Why, e.g. `authenticator_missing`."),
            ]),
        EventTypeSpec(
            "app.installed", step: "Work apps",
            "A work app installed.",
            fields: [
                FieldSpec("bundle_id", .text, required: true, "The app's bundle id."),
                FieldSpec("name", .string, "The app's name."),
            ]),
        EventTypeSpec(
            "enrollment.failed", step: "Enrollment",
            "Intune reports the enrollment failed (Graph `enrollmentTroubleshootingEvent`).",
            fields: [
                FieldSpec("category", .string, "Graph `failureCategory`, e.g. `enrollmentRestrictionsEnforced`."),
                FieldSpec("reason", .text, required: true, "Graph `failureReason`, e.g. `DeviceCapReached`."),
            ]),
        EventTypeSpec(
            "enrollment.fell_back", step: "Enrollment",
            "The device is on iOS/iPadOS 14.9 or earlier and fell back to user enrollment with Company Portal.",
            fields: [
                FieldSpec("os_version", .text, required: true, "The device's OS version."),
                FieldSpec("method", .string, "The fallback: `company_portal`."),
            ]),
        EventTypeSpec(
            "device.unenrolled", step: "Unenrollment",
            "The device left management; the work volume and its keys were erased.",
            fields: [
                FieldSpec("by", .string, "Who: `user`, `admin`, or `checkout` when known only from an MDM CheckOut."),
                FieldSpec("actor", .string, "The admin who retired, wiped or deleted it (Intune audit events)."),
                FieldSpec("intune_device_id", .string, "The managed device's id (Intune audit events)."),
                FieldSpec("enrollment_id", .string, "The device's `EnrollmentID`."),
                FieldSpec("reason", .string, "Why, where known."),
            ]),
        EventTypeSpec(
            "identity.linked", step: "Identity",
            "Ids that name the same enrollment: the identity projection joins them.",
            fields: [
                FieldSpec("enrollment_id", .string, "The device's `EnrollmentID`."),
                FieldSpec("intune_device_id", .string, "Intune's managed device id."),
                FieldSpec("entra_device_id", .string, "The Entra device id."),
                FieldSpec("attempt_id", .string, "The attempt id (the enrollment service's stream)."),
                FieldSpec("correlation_id", .string, "A Graph `correlationId`."),
            ],
            requiresOneOf: ["enrollment_id", "intune_device_id", "entra_device_id", "attempt_id", "correlation_id"]),
    ]

    private static let mdmFields = [
        FieldSpec(
            "enrollment_id", .text, required: true, "The device's `EnrollmentID` (or UDID for device enrollments)."),
        FieldSpec("topic", .string, "The webhook topic, e.g. `mdm.Authenticate`."),
        FieldSpec("channel", .string, "`user` for a user channel (a macOS user, the user side of a User Enrollment)."),
        FieldSpec(
            "time_unset", .string,
            "`go_zero_time` when `created_at` was Go's zero time: the sender did not set it, so `occurred_at` is "
                + "0001-01-01T00:00:00Z and only `recorded_at` orders the event."),
        FieldSpec(
            "user_channel_id", .string, "The user channel's id (NanoMDM `ids.id`, `EnrollmentUserID`, `UserID`)."),
        FieldSpec("raw", .object, "The original webhook record, decoded plist included."),
    ]

    private static let signInLogFields = [
        FieldSpec("app", .string, "The Entra sign-in log's `appDisplayName`."),
        FieldSpec("client_app", .string, "`clientAppUsed`, e.g. `Mobile Apps and Desktop clients`."),
        FieldSpec(
            "conditional_access_status", .string, "`conditionalAccessStatus`: `success`, `failure`, `notApplied`."),
        FieldSpec("entra_device_id", .string, "`deviceDetail.deviceId`, when the device is registered."),
    ]

    private static let intuneDeviceFields = [
        FieldSpec("intune_device_id", .text, required: true, "The managed device's `id`."),
        FieldSpec("entra_device_id", .string, "`azureADDeviceId`."),
        FieldSpec("upn", .string, "`userPrincipalName`."),
        FieldSpec("aad_user_id", .string, "`userId`, the Entra object id of the user."),
        FieldSpec("enrollment_type", .text, required: true, "`deviceEnrollmentType`: `appleUserEnrollment`, …"),
        FieldSpec("model", .string, "`model`."),
        FieldSpec("os_version", .string, "`osVersion`."),
        FieldSpec("management_state", .string, "`managementState`: `managed`, `retirePending`, …"),
    ]

    private static let byName: [String: EventTypeSpec] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The spec of a type, or `nil` when the catalogue does not know it.
    public static func spec(for type: String) -> EventTypeSpec? {
        byName[type]
    }

    /// Brings `data` of schema `schema` up to the current version of `type`, one step at a time.
    /// Unknown types and versions at or above the current one are returned unchanged.
    ///
    /// - Returns: the version reached and the data.
    public static func upcast(
        type: String, schema: Int, data: [String: JSONValue]
    ) -> (schema: Int, data: [String: JSONValue]) {
        guard let spec = byName[type], schema < spec.version, schema >= 1 else { return (schema, data) }
        var data = data
        for step in schema..<spec.version {
            data = spec.upcasters[step - 1](data)
        }
        return (spec.version, data)
    }

    /// An upcaster that renames one member of `data`, keeping the new name's value when both exist.
    public static func renameMember(
        _ old: String, to new: String
    ) -> @Sendable ([String: JSONValue]) -> [String: JSONValue] {
        { data in
            var data = data
            if let value = data.removeValue(forKey: old), data[new] == nil {
                data[new] = value
            }
            return data
        }
    }
}
