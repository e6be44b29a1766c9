import EnrollmentDomain

/// The kinds of id an enrollment is known by, as bits of `identity_nodes.kinds`.
struct IdentityKinds: OptionSet, Hashable, Sendable {
    let rawValue: Int64

    static let stream = IdentityKinds(rawValue: 1)
    static let enrollmentID = IdentityKinds(rawValue: 2)
    static let intuneDeviceID = IdentityKinds(rawValue: 4)
    static let entraDeviceID = IdentityKinds(rawValue: 8)
    static let attemptID = IdentityKinds(rawValue: 16)
    static let correlationID = IdentityKinds(rawValue: 32)
    /// A "same fact" key (a discovery request, an Intune failure): joins, never shown.
    static let joinKey = IdentityKinds(rawValue: 64)

    /// The public kinds, with the `data` member that names them in link facts.
    static let named: [(kind: IdentityKinds, member: String, public: EnrollmentIdentifier.Kind)] = [
        (.enrollmentID, "enrollment_id", .enrollmentID),
        (.intuneDeviceID, "intune_device_id", .intuneDeviceID),
        (.entraDeviceID, "entra_device_id", .entraDeviceID),
        (.attemptID, "attempt_id", .attemptID),
        (.correlationID, "correlation_id", .correlationID),
    ]
}

/// What one event tells the identity projection, by the rules of docs/projections.md:
///
/// - every `data` member `enrollment_id`, `intune_device_id`, `entra_device_id`, `attempt_id`,
///   `correlation_id` links that id to the event's stream (`identity.linked`, `profile.installed`, MDM
///   check-ins naming their attempt, `jit.registered`, …);
/// - a `discovery.*` event joins the key of its request (user, second), so an access-log line and the
///   device's own report of the same request become one enrollment;
/// - an `enrollment.failed` joins the key of its failure (user, second); when the event has no user but
///   an Entra user id (Microsoft Graph), the key is made once that id's UPN is known;
/// - an `account.signed_in` or `account.sign_in_failed` joins the key of its sign-in (user, second), so
///   Entra's sign-in log and the enrollment service's report of the same sign-in become one enrollment;
/// - `account.signed_in`, `account.sign_in_failed` and Intune's inventory facts teach which UPN an Entra
///   user id belongs to.
///
/// User-level ids (UPN, Entra user id) are attributes, never links: a user's enrollments stay apart.
struct IdentityFacts {
    /// Ids naming the same enrollment as the event's stream.
    var links: [(id: String, kind: IdentityKinds)] = []
    /// "Same fact" keys the stream joins.
    var joinKeys: [String] = []
    /// An Entra user id and its UPN.
    var userMapping: (aadUserID: String, upn: String)?
    /// The event has no user, only an Entra user id: its user (and failure key) wait for the mapping.
    var userless: (aadUserID: String, second: Int64, joinsFailure: Bool)?

    init(_ event: NewEvent, data: [String: JSONValue]) {
        for named in IdentityKinds.named {
            if let id = data.nonEmptyString(named.member) { links.append((id, named.kind)) }
        }
        let second = Self.second(of: event.occurredAt)
        let user = event.user.flatMap { $0.isEmpty ? nil : $0 }
        if event.type.hasPrefix("discovery."), let upn = user ?? data.nonEmptyString("user_identifier") {
            joinKeys.append(Self.discoveryKey(user: upn, second: second))
        }
        if event.type == "enrollment.failed", let user {
            joinKeys.append(Self.failureKey(user: user, second: second))
        }
        if event.type == "account.signed_in" || event.type == "account.sign_in_failed",
            let upn = user ?? data.nonEmptyString("upn")
        {
            joinKeys.append(Self.signInKey(user: upn, second: second))
        }
        if let aad = data.nonEmptyString("aad_user_id") {
            if Self.userNamingTypes.contains(event.type), let upn = data.nonEmptyString("upn") ?? user {
                userMapping = (aad, upn)
            }
            if user == nil {
                userless = (aad, second, event.type == "enrollment.failed")
            }
        }
    }

    /// Whole seconds since the epoch (rounded down), the precision "same fact" joins compare at.
    static func second(of time: Timestamp) -> Int64 {
        time.milliseconds >= 0 ? time.milliseconds / 1000 : (time.milliseconds - 999) / 1000
    }

    static func discoveryKey(user: String, second: Int64) -> String {
        "discovery:\(user.lowercased()):\(second)"
    }

    static func failureKey(user: String, second: Int64) -> String {
        "failure:\(user.lowercased()):\(second)"
    }

    static func signInKey(user: String, second: Int64) -> String {
        "sign-in:\(user.lowercased()):\(second)"
    }

    /// Streams of these sources restate facts another source reports first-hand: an enrollment's
    /// canonical id comes from another stream when it has one.
    static let secondHandSources: Set<String> = ["access-log", "intune-graph", "entra-signin"]

    /// The types whose events name the user by UPN and Entra object id together (`upn`, `aad_user_id`):
    /// work-account sign-ins (the enrollment service's and Entra's sign-in log) and Intune's inventory.
    static let userNamingTypes: Set<String> = [
        "account.signed_in", "account.sign_in_failed", "intune.device_enrolled", "intune.device_synced",
    ]
}
