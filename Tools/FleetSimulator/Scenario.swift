/// How one simulated enrollment attempt goes. The mix follows what support teams see in practice.
public enum Scenario: String, CaseIterable, Sendable {
    case enrolled
    case enrolledAfterProfileRetry = "enrolled_after_profile_retry"
    case declined
    case discoveryNotFound = "discovery_not_found"
    case discoveryWrongContentType = "discovery_wrong_content_type"
    case discoveryTenantPlaceholder = "discovery_tenant_placeholder"
    case profileFailed = "profile_failed"
    case jitFailed = "jit_failed"
    case authenticatorMissing = "authenticator_missing"
    case ssoAppPreinstalled = "sso_app_preinstalled"
    case fallback
    case deviceCapReached = "device_cap_reached"
    case abandonedAfterAppleID = "abandoned_after_apple_id"
    case unenrolledLater = "unenrolled_later"

    /// Relative frequency, in percent.
    var weight: Int {
        switch self {
        case .enrolled: 50
        case .enrolledAfterProfileRetry: 3
        case .declined: 5
        case .discoveryNotFound: 2
        case .discoveryWrongContentType: 2
        case .discoveryTenantPlaceholder: 2
        case .profileFailed: 3
        case .jitFailed: 3
        case .authenticatorMissing: 7
        case .ssoAppPreinstalled: 2
        case .fallback: 5
        case .deviceCapReached: 3
        case .abandonedAfterAppleID: 5
        case .unenrolledLater: 8
        }
    }

    static func random(using random: inout SeededRandom) -> Scenario {
        var roll = Int.random(in: 0..<allCases.reduce(0) { $0 + $1.weight }, using: &random)
        for scenario in allCases {
            roll -= scenario.weight
            if roll < 0 { return scenario }
        }
        return .enrolled
    }
}
