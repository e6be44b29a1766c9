import EnrollmentDomain

/// One id an enrollment is known by.
public struct EnrollmentIdentifier: Sendable, Hashable, Codable, Comparable {
    /// Which system named it.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A stream of the log (an attempt id, an MDM enrollment id, a Graph correlation id, …).
        case stream
        /// The device's `EnrollmentID`.
        case enrollmentID = "enrollment_id"
        /// Intune's managed device id.
        case intuneDeviceID = "intune_device_id"
        /// The Entra device id.
        case entraDeviceID = "entra_device_id"
        /// An attempt id named by another source (e.g. a NanoMDM check-in URL).
        case attemptID = "attempt_id"
        /// A Microsoft Graph `correlationId`.
        case correlationID = "correlation_id"
    }

    public var kind: Kind
    public var value: String

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    public static func < (lhs: EnrollmentIdentifier, rhs: EnrollmentIdentifier) -> Bool {
        (lhs.value, lhs.kind.rawValue) < (rhs.value, rhs.kind.rawValue)
    }
}

/// Why an enrollment failed: the step and the source's reason.
public struct EnrollmentFailure: Sendable, Hashable, Codable {
    public var step: EnrollmentStep
    /// The source's reason as reported, e.g. `not_found`, `DeviceCapReached`, `ProfileInstallationFailed`.
    public var reason: String

    public init(step: EnrollmentStep, reason: String) {
        self.step = step
        self.reason = reason
    }
}

/// The latest problem of an enrollment: a failed timeline entry (a failure, a symptom such as a work app
/// that could not sign in, a decline) that no later success answered. What a stalled enrollment is stuck on.
public struct EnrollmentProblem: Sendable, Hashable, Codable {
    /// The event type, e.g. `work_app.sign_in_blocked`.
    public var type: String
    /// The source's reason, e.g. `authenticator_missing`.
    public var reason: String
    /// When it occurred.
    public var at: Timestamp

    public init(type: String, reason: String, at: Timestamp) {
        self.type = type
        self.reason = reason
        self.at = at
    }
}

/// Where one enrollment stands: a row of the `device_status` projection, with its ids and the
/// query-time `stalled` flag.
public struct DeviceStatus: Sendable, Hashable, Codable {
    /// The canonical id: the stream of the enrollment's earliest first-hand event.
    public var enrollment: String
    /// Every id the enrollment is known by (streams, enrollment id, device ids), sorted.
    public var ids: [EnrollmentIdentifier]
    /// The user's UPN (from the events, else from the Entra user id).
    public var user: String?
    /// The Entra object id of the user, where known.
    public var entraUserID: String?
    public var state: EnrollmentState
    /// The furthest step that succeeded (`nil`: none).
    public var step: EnrollmentStep?
    /// What decided a `failed` state.
    public var failure: EnrollmentFailure?
    public var osVersion: String?
    /// The device model: the MDM `ProductName` (`iPhone15,2`), else the discovery `model-family`.
    public var model: String?
    /// The earliest and latest `occurred_at` of its events.
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// When a step last succeeded (the first event when none did): what "stalled" is measured from.
    public var lastStepAt: Timestamp
    /// From the first event to the event that completed the enrollment (profile and Authenticator).
    public var timeToEnrollSeconds: Double?
    /// How many events of the log belong to it.
    public var events: Int
    /// `in_progress` with no step for at least the stall threshold, as of the query's time.
    public var stalled: Bool
    /// How long a stalled enrollment has had no step, as of the query's time (`nil` when not stalled).
    public var stalledForSeconds: Double?
    /// The latest problem no later success answered, if any (see ``EnrollmentProblem``).
    public var lastProblem: EnrollmentProblem?
    /// Ids joined into this enrollment that name two devices or two attempts (see ``IdentityConflict``).
    public var conflicts: [IdentityConflict] = []

    enum CodingKeys: String, CodingKey {
        case enrollment, ids, user, state, step, failure, model, events, stalled
        case entraUserID = "entra_user_id"
        case osVersion = "os_version"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case lastStepAt = "last_step_at"
        case timeToEnrollSeconds = "time_to_enroll_s"
        case stalledForSeconds = "stalled_for_s"
        case lastProblem = "last_problem"
        case conflicts
    }
}
