/// The hints for what Entra's sign-in log, Intune's install statuses and audit log, and MDM webhooks without
/// a time report; they come before the catch-all rules of their types.
extension HintRules {
    // The AADSTS codes below were checked against Microsoft's table "Microsoft Entra authentication and
    // authorization error codes" (https://learn.microsoft.com/entra/identity-platform/reference-error-codes):
    // 50074 UserStrongAuthClientAuthNRequiredInterrupt, 50076 UserStrongAuthClientAuthNRequired, 50079
    // UserStrongAuthEnrollmentRequired (MFA, or its registration); 53003 BlockedByConditionalAccess; 53000
    // DeviceNotCompliant, 53001 DeviceNotDomainJoined, 50097 DeviceAuthenticationRequired; 50105
    // EntitlementGrantsNotFound (not assigned to the app); 50053 IdsLocked, 50057 UserDisabled; 50126
    // InvalidUserNameOrPassword. Each matches the rule it is in.
    static let intuneRules: [Rule] = [
        rule(
            "mdm_time_unset",
            ["mdm.authenticated", "mdm.token_updated", "mdm.checked_in", "mdm.command_failed", "device.unenrolled"],
            ["go_zero_time"], in: ["time_unset"],
            cause: "The webhook's created_at was Go's zero time (0001-01-01): the MDM server did not set when it "
                + "happened, so this entry sorts first.",
            fix: "Read its recorded_at for when it arrived; check the MDM server's clock and webhook configuration."),
        rule(
            "sign_in_mfa_required", ["account.sign_in_failed"], ["aadsts50076", "aadsts50079", "aadsts50074"],
            cause: "The work-account sign-in needed multifactor authentication (or MFA registration) that the "
                + "user did not complete in Settings.",
            fix: "Have the user register an MFA method beforehand (aka.ms/mfasetup) and complete the prompt; check "
                + "the policy that demanded it in the sign-in log's Conditional Access tab."),
        rule(
            "sign_in_conditional_access_blocked", ["account.sign_in_failed"], ["aadsts53003"],
            cause: "A Conditional Access policy blocked the work-account sign-in of the enrollment.",
            fix: "Find the blocking policy in the sign-in's Conditional Access details; exclude the Microsoft Intune "
                + "Enrollment app from it or scope it away from enrolling users."),
        rule(
            "sign_in_device_state_required", ["account.sign_in_failed"], ["aadsts53000", "aadsts53001", "aadsts50097"],
            cause: "Conditional Access required a compliant, joined or authenticated device, which a device that "
                + "is still enrolling cannot be.",
            fix: "Exclude the Microsoft Intune Enrollment app from the device-compliance / device-authentication "
                + "grant controls, so enrollment can finish before compliance is evaluated."),
        rule(
            "sign_in_not_assigned", ["account.sign_in_failed"], ["aadsts50105"],
            cause: "The user is not assigned to the application the enrollment signs in to.",
            fix: "Assign the user (or their group) to the application in Entra ID, or turn off assignment required."),
        rule(
            "sign_in_account_blocked", ["account.sign_in_failed"], ["aadsts50053", "aadsts50057"],
            cause: "The work account is locked or disabled.",
            fix: "Unlock or enable the account in Entra ID, then let the user enroll again."),
        rule(
            "sign_in_bad_password", ["account.sign_in_failed"], ["aadsts50126"],
            cause: "The user entered a wrong user name or password.",
            fix: "Have the user check their credentials (or reset the password) and enroll again."),
        rule(
            "authenticator_install_declined", ["authenticator.install_failed"], ["userrejectedinstall"],
            in: ["reason", "install_state_detail"],
            cause: "The user declined the prompt to install Microsoft Authenticator as a managed app.",
            fix: "Ask the user to accept the install prompt; Intune retries at the next check-in."),
        rule(
            "authenticator_app_store_signed_out", ["authenticator.install_failed"], ["userisnotloggedintoappstore"],
            in: ["reason", "install_state_detail"],
            cause: "Microsoft Authenticator could not install: the device is not signed in to the App Store.",
            fix: "Assign Authenticator as a device-licensed volume-purchase app, or have the user sign in to the App "
                + "Store."),
        rule(
            "unenrolled_by_admin", ["device.unenrolled"], ["admin"], in: ["by"],
            cause: "An Intune admin retired, wiped or deleted the device; the work data on it was removed.",
            fix: "Ask the admin named as actor why; to come back the user enrolls again."),
    ]
}
