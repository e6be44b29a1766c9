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
        guard ReadModelAssembly.needsFold(current, at: asOf) else { return current.firstSeen <= asOf ? current : nil }
        let events = try StoredEventReader(db).events(inStreams: ReadModelAssembly.streams(of: current))
        let identity = SQLiteIdentityState(db: db)
        return try ReadModelAssembly.status(current, at: asOf, events: events, threshold: threshold) {
            try identity.upns(ofAADUser: $0).first
        }
    }
}
