import EnrollmentDomain

/// A row of `device_status`, column for column, as the fold computes it and a backend stores it.
public struct DeviceStatusRow: Equatable, Sendable {
    public var enrollment: String
    public var user: String?
    /// `user` lowercased: what user lookups match.
    public var userKey: String?
    public var entraUserID: String?
    /// An ``EnrollmentState`` raw value.
    public var state: String
    /// An ``EnrollmentStep`` raw value: the furthest step that succeeded.
    public var step: String?
    /// That step's index, −1 for none.
    public var stepIndex: Int64
    public var failureStep: String?
    public var failureReason: String?
    public var osVersion: String?
    public var model: String?
    /// Times in milliseconds since 1970 (UTC).
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var lastStepAt: Int64
    public var enrolledAt: Int64?
    public var timeToEnrollMilliseconds: Int64?
    public var events: Int64
    public var problemType: String?
    public var problemReason: String?
    public var problemAt: Int64?
    /// ``IdentityConflict``s as JSON, `nil` for none.
    public var conflicts: String?

    public init(
        enrollment: String, user: String?, userKey: String?, entraUserID: String?, state: String, step: String?,
        stepIndex: Int64, failureStep: String?, failureReason: String?, osVersion: String?, model: String?,
        firstSeen: Int64, lastSeen: Int64, lastStepAt: Int64, enrolledAt: Int64?, timeToEnrollMilliseconds: Int64?,
        events: Int64, problemType: String?, problemReason: String?, problemAt: Int64?, conflicts: String?
    ) {
        self.enrollment = enrollment
        self.user = user
        self.userKey = userKey
        self.entraUserID = entraUserID
        self.state = state
        self.step = step
        self.stepIndex = stepIndex
        self.failureStep = failureStep
        self.failureReason = failureReason
        self.osVersion = osVersion
        self.model = model
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.lastStepAt = lastStepAt
        self.enrolledAt = enrolledAt
        self.timeToEnrollMilliseconds = timeToEnrollMilliseconds
        self.events = events
        self.problemType = problemType
        self.problemReason = problemReason
        self.problemAt = problemAt
        self.conflicts = conflicts
    }

    /// The row of the enrollment whose canonical id is `enrollment`, from its fold (which holds events).
    init(enrollment: String, _ status: StatusFold) {
        self.init(
            enrollment: enrollment, user: status.user, userKey: status.user?.lowercased(),
            entraUserID: status.entraUserID, state: status.state.rawValue, step: status.step?.rawValue,
            stepIndex: Int64(status.step?.index ?? -1), failureStep: status.failure?.step.rawValue,
            failureReason: status.failure?.reason, osVersion: status.osVersion, model: status.model,
            firstSeen: status.firstSeen.milliseconds, lastSeen: status.lastSeen.milliseconds,
            lastStepAt: (status.lastStepAt ?? status.firstSeen).milliseconds,
            enrolledAt: status.enrolledAt?.milliseconds, timeToEnrollMilliseconds: status.timeToEnrollMilliseconds,
            events: Int64(status.events), problemType: status.problem?.type, problemReason: status.problem?.reason,
            problemAt: status.problem?.at.milliseconds, conflicts: IdentityConflict.column(status.conflicts))
    }

    /// The columns the `fleet_stats` aggregate counts.
    var counted: FleetStatsDeltas.Row {
        FleetStatsDeltas.Row(
            firstSeen: firstSeen, state: state, stepIndex: stepIndex, failureStep: failureStep,
            failureReason: failureReason, timeToEnrollMilliseconds: timeToEnrollMilliseconds)
    }
}

/// The row changes of one flush of the `device_status` fold, and what they change in `fleet_stats`.
public struct DeviceStatusChanges: Sendable {
    public var rows = TableChanges<String, DeviceStatusRow>()
    /// Per aggregate key, rows counted less rows uncounted by `rows`.
    public var fleetStats = FleetStatsDeltas()

    public init() {}
}

/// What the `device_status` fold reads: the identity tables and `device_status` as the last flush left
/// them (the identity projection is flushed first), and the log.
public protocol DeviceStatusStateReading {
    /// The root of the set `stream` belongs to.
    func root(of stream: String) throws -> String?
    /// The streams of the set whose root is `root`.
    func streams(ofRoot root: String) throws -> [String]
    /// The streams with a userless event of this Entra user id.
    func userlessStreams(ofAADUser aadUserID: String) throws -> [String]
    /// The first UPN (in byte order) of an Entra user id.
    func upn(ofAADUser aadUserID: String) throws -> String?
    /// The stored rows of these enrollments (those that have one).
    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow]
    /// Every stored event of these streams.
    func events(inStreams streams: [String]) throws -> [RecordedEvent]
}
