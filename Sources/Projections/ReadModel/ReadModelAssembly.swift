import EnrollmentDomain
import EventStore

/// What every backend of ``EnrollmentReadModel`` makes of the rows it read, so that the same rows give the
/// same answers on SQLite and PostgreSQL: the status of a `device_status` row and its identity nodes, the
/// stall rule, the point-in-time fold, the timeline, and the fleet statistics' groups.
public enum ReadModelAssembly {
    /// The `identity_nodes.kinds` bits a lookup by id matches: every kind but the join keys, which are
    /// never shown (`kinds & lookupKinds != 0`).
    public static let lookupKinds: Int64 = IdentityKinds.joinKey.rawValue - 1

    /// One row of `identity_nodes` of an enrollment: an id and its kinds bits.
    public struct Node: Sendable, Hashable {
        public var id: String
        public var kinds: Int64

        public init(id: String, kinds: Int64) {
            self.id = id
            self.kinds = kinds
        }
    }

    /// The status of one `device_status` row, with the ids of its `identity_nodes` (`root` = the
    /// enrollment), as of `asOf` (whether it is stalled then, by `threshold` seconds).
    ///
    /// - Throws: ``ReadModelError`` when the row holds a value no version wrote (a state, a step) or no
    ///   stream of the log belongs to the enrollment.
    public static func status(
        row: DeviceStatusRow, nodes: [Node], asOf: Timestamp, threshold: Double
    ) throws -> DeviceStatus {
        let enrollment = row.enrollment
        var ids: [EnrollmentIdentifier] = []
        for node in nodes {
            let kinds = IdentityKinds(rawValue: node.kinds)
            if kinds.contains(.stream) { ids.append(EnrollmentIdentifier(kind: .stream, value: node.id)) }
            for named in IdentityKinds.named where kinds.contains(named.kind) {
                ids.append(EnrollmentIdentifier(kind: named.public, value: node.id))
            }
        }
        func value<T: RawRepresentable>(_ column: String, _ text: String?, as type: T.Type) throws -> T?
        where T.RawValue == String {
            guard let text else { return nil }
            guard let value = T(rawValue: text) else {
                throw ReadModelError(enrollment: enrollment, problem: "\(column) '\(text)' is not a known value")
            }
            return value
        }
        guard let state = try value("state", row.state, as: EnrollmentState.self) else {
            throw ReadModelError(enrollment: enrollment, problem: "state is empty")
        }
        guard ids.contains(where: { $0.kind == .stream }) else {
            throw ReadModelError(enrollment: enrollment, problem: "no stream of the log belongs to it")
        }
        let lastStepAt = Timestamp(milliseconds: row.lastStepAt)
        let stall = stall(state: state, lastStepAt: lastStepAt, asOf: asOf, threshold: threshold)
        let failure = try value("failure_step", row.failureStep, as: EnrollmentStep.self).map {
            EnrollmentFailure(step: $0, reason: row.failureReason ?? "unknown")
        }
        return DeviceStatus(
            enrollment: enrollment, ids: ids.sorted(), user: row.user, entraUserID: row.entraUserID,
            state: state, step: try value("step", row.step, as: EnrollmentStep.self), failure: failure,
            osVersion: row.osVersion, model: row.model, firstSeen: Timestamp(milliseconds: row.firstSeen),
            lastSeen: Timestamp(milliseconds: row.lastSeen), lastStepAt: lastStepAt,
            timeToEnrollSeconds: row.timeToEnrollMilliseconds.map { Double($0) / 1000 },
            events: Int(row.events), stalled: stall != nil, stalledForSeconds: stall,
            lastProblem: row.problemType.map {
                EnrollmentProblem(
                    type: $0, reason: row.problemReason ?? "unknown", at: Timestamp(milliseconds: row.problemAt ?? 0))
            }, conflicts: try IdentityConflict.parse(row.conflicts, enrollment: enrollment))
    }

    /// How long an `in_progress` enrollment has had no step as of `asOf`, when that is at least
    /// `threshold` seconds: the one definition of stalled. `nil`: not stalled.
    public static func stall(state: EnrollmentState, lastStepAt: Timestamp, asOf: Timestamp, threshold: Double)
        -> Double?
    {
        let seconds = Double(asOf.milliseconds - lastStepAt.milliseconds) / 1000
        return state == .inProgress && seconds >= threshold ? seconds : nil
    }

    /// Whether `current` needs its events folded to say how it stood at `asOf`: `false` when it was first
    /// seen later (it is left out) or last seen by then (it stood as it stands).
    public static func needsFold(_ current: DeviceStatus, at asOf: Timestamp) -> Bool {
        current.firstSeen <= asOf && current.lastSeen > asOf
    }

    /// `current` as it stood at `asOf`, folded from `events` (those of its streams; the ones that occurred
    /// after `asOf` are left out here) by the fold the `device_status` projection runs. `nil` when none had
    /// occurred by then.
    ///
    /// - Parameter upnOf: the UPN of an Entra user id (`identity_user_ids`), for enrollments whose events
    ///   name no user.
    public static func status(
        _ current: DeviceStatus, at asOf: Timestamp, events: [RecordedEvent], threshold: Double,
        upnOf: (String) throws -> String?
    ) throws -> DeviceStatus? {
        guard current.firstSeen <= asOf else { return nil }
        guard current.lastSeen > asOf else { return current }
        let fold = try StatusFold(
            enrollment: current.enrollment, events: events.filter { $0.event.occurredAt <= asOf }, upnOf: upnOf)
        guard fold.events > 0 else { return nil }
        let lastStepAt = fold.lastStepAt ?? fold.firstSeen
        let stall = stall(state: fold.state, lastStepAt: lastStepAt, asOf: asOf, threshold: threshold)
        var then = current
        then.user = fold.user ?? current.user
        then.entraUserID = fold.entraUserID ?? current.entraUserID
        then.state = fold.state
        then.step = fold.step
        then.failure = fold.failure
        then.osVersion = fold.osVersion
        then.model = fold.model
        then.firstSeen = fold.firstSeen
        then.lastSeen = fold.lastSeen
        then.lastStepAt = lastStepAt
        then.timeToEnrollSeconds = fold.timeToEnrollMilliseconds.map { Double($0) / 1000 }
        then.events = fold.events
        then.stalled = stall != nil
        then.stalledForSeconds = stall
        then.lastProblem = fold.problem
        then.conflicts = fold.conflicts
        return then
    }

    /// Whether a point-in-time status passes the filter's state and stall conditions (judged on the state
    /// then, after the fold).
    public static func matches(_ then: DeviceStatus, pointInTime filter: DeviceFilter) -> Bool {
        if let state = filter.state, then.state != state { return false }
        if filter.stalledFor != nil && !then.stalled { return false }
        return true
    }

    /// The timeline of one enrollment from the events of its streams (with `asOf`, only those that had
    /// occurred by then).
    public static func timeline(of status: DeviceStatus, events: [RecordedEvent], asOf: Timestamp?)
        -> [TimelineEntry]
    {
        var events = events
        if let asOf { events.removeAll { $0.event.occurredAt > asOf } }
        return TimelineBuilder().entries(enrollment: status.enrollment, events: events, status: status)
    }

    /// The stream ids of an enrollment, whose events make its timeline.
    public static func streams(of status: DeviceStatus) -> [String] {
        status.ids.filter { $0.kind == .stream }.map(\.value)
    }
}
