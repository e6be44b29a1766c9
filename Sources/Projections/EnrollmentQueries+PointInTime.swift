import EnrollmentDomain
import EventStore
import GRDB

extension EnrollmentQueries {
    /// `current` as it stood at `asOf`: folded from the events of its streams that had occurred
    /// (`occurred_at`) by then, the same fold the `device_status` projection runs. `nil` when none had.
    ///
    /// The cut is by `occurred_at`, what had happened by then, as the sources report it: an event recorded
    /// later about an earlier moment counts (the store learnt it late), which is what "where did this
    /// enrollment stand on Monday" asks. The enrollment's ids are the ones known now.
    func status(_ current: DeviceStatus, at asOf: Timestamp, threshold: Double, _ db: Database) throws
        -> DeviceStatus?
    {
        guard current.firstSeen <= asOf else { return nil }
        guard current.lastSeen > asOf else { return current }
        let streams = current.ids.filter { $0.kind == .stream }.map(\.value)
        let events = try StoredEventReader(db).events(inStreams: streams).filter { $0.event.occurredAt <= asOf }
        let identity = SQLiteIdentityState(db: db)
        let fold = try StatusFold(enrollment: current.enrollment, events: events) {
            try identity.upns(ofAADUser: $0).first
        }
        guard fold.events > 0 else { return nil }
        let lastStepAt = fold.lastStepAt ?? fold.firstSeen
        let stall = Self.stall(state: fold.state, lastStepAt: lastStepAt, asOf: asOf, threshold: threshold)
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
}
