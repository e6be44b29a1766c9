/// The steps of account-driven User Enrollment a device status tracks, in the order a healthy
/// enrollment takes them (docs/projections.md, "Steps").
public enum EnrollmentStep: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case discovery
    case accountSignIn = "account_sign_in"
    case appleIDSignIn = "apple_id_sign_in"
    case remoteManagement = "remote_management"
    case profileInstalled = "profile_installed"
    case jitRegistration = "jit_registration"
    case authenticatorInstalled = "authenticator_installed"

    /// The step's place in the flow, from 0.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    /// The step after this one, or `nil` after the last.
    public var next: EnrollmentStep? {
        index + 1 < Self.allCases.count ? Self.allCases[index + 1] : nil
    }

    /// A short name for people: `Management profile`.
    public var title: String {
        switch self {
        case .discovery: "Service discovery"
        case .accountSignIn: "Work-account sign-in"
        case .appleIDSignIn: "Managed Apple ID sign-in"
        case .remoteManagement: "Allow Remote Management"
        case .profileInstalled: "Management profile"
        case .jitRegistration: "Just-in-time registration"
        case .authenticatorInstalled: "Microsoft Authenticator"
        }
    }

    public static func < (lhs: EnrollmentStep, rhs: EnrollmentStep) -> Bool { lhs.index < rhs.index }
}

/// Where an enrollment stands (docs/projections.md, "States").
public enum EnrollmentState: String, Sendable, Hashable, Codable, CaseIterable {
    /// The profile and Microsoft Authenticator are installed, and nothing later undid it.
    case enrolled
    /// Still on its way (or abandoned: see ``DeviceStatus/stalled``).
    case inProgress = "in_progress"
    /// The latest outcome is a failure not followed by a later success at that step or beyond.
    case failed
    /// The user declined remote management.
    case declined
    /// iOS/iPadOS 14.9 or earlier: fell back to user enrollment with Company Portal.
    case fallback
    /// The device left management (by the user, an admin, or an MDM CheckOut).
    case unenrolled
}
