/// Where in the flow a failure Intune reports (Graph `enrollmentTroubleshootingEvent`) happened.
///
/// Intune only sees a device that passed service discovery and reached its enrollment service, so its
/// failures are never discovery's: authentication and user checks fail the work-account sign-in; the
/// rest (restrictions such as `DeviceCapReached`, unsupported devices, bad requests, a disconnected client,
/// an abandoned enrollment) fail the management profile the service was about to issue.
enum IntuneFailureSteps {
    /// Graph `enrollmentFailureReason` values (`failureCategory`) that fail the work-account sign-in.
    static let signInCategories: Set<String> = [
        "authentication", "authorization", "accountvalidation", "uservalidation",
    ]

    /// `failureReason` codes known to fail the work-account sign-in whatever their category.
    static let signInReasons: Set<String> = [
        "usernotlicensed", "userlicensenotfound", "aadtokenexpired", "mfarequired",
    ]

    /// The step of a failure with Graph `failureCategory` `category` and `failureReason` `reason`.
    static func step(category: String?, reason: String) -> EnrollmentStep {
        if let category, signInCategories.contains(category.lowercased()) { return .accountSignIn }
        if signInReasons.contains(reason.lowercased().replacingOccurrences(of: " ", with: "")) { return .accountSignIn }
        return .profileInstalled
    }
}
