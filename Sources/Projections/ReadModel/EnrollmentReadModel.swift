import EnrollmentDomain
import EventStore

/// The questions support staff and dashboards ask of the read models, whichever backend holds them:
/// ``EnrollmentQueries`` answers them from a SQLite store, `PostgresEnrollmentQueries` (PostgresStore) from a
/// PostgreSQL one, with the same answers for the same rows. The CLI's query commands talk to this protocol
/// only.
///
/// Every method reads one consistent snapshot and uses an index. What a backend reads is its own; what it
/// makes of the rows is shared (``ReadModelAssembly``): the status of a `device_status` row, the stall rule,
/// the point-in-time fold and the timeline.
public protocol EnrollmentReadModel: Sendable {
    /// An `in_progress` enrollment whose last step is at least this old is stalled.
    var stalledAfterSeconds: Double { get }

    /// The enrollments an id names, oldest first (``EnrollmentQueries/enrollments(matching:asOf:)``).
    func enrollments(matching given: String, asOf pointInTime: Timestamp?) async throws -> [DeviceStatus]

    /// The troubleshooting timeline of enrollments already looked up, enrollment after enrollment in the
    /// order given; with `asOf`, only the events that had occurred by then.
    func timeline(of statuses: [DeviceStatus], asOf: Timestamp?) async throws -> [TimelineEntry]

    /// Calls `body` with each enrollment matching `filter`, in its order, from one snapshot.
    ///
    /// - Throws: ``DeviceQueryError`` when ``DeviceFilter/after`` names no enrollment; what `body` throws.
    func forEachDevice(_ filter: DeviceFilter, _ body: (DeviceStatus) throws -> Void) async throws

    /// The enrollments matching `filter`, in its order (``forEachDevice(_:_:)`` collected).
    func devices(_ filter: DeviceFilter) async throws -> [DeviceStatus]

    /// How many enrollments match `filter`, ignoring its ``DeviceFilter/after`` and ``DeviceFilter/limit``.
    func deviceCount(_ filter: DeviceFilter) async throws -> Int

    /// How many `in_progress` enrollments have had no step for ``stalledAfterSeconds`` as of `asOf`.
    func stalledCount(asOf: Timestamp?) async throws -> Int

    /// Fleet statistics over the enrollments whose first event falls in the query's range.
    func stats(_ query: StatsQuery) async throws -> FleetStats

    /// Every event of the enrollments' streams (``ReadModelAssembly/streams(of:)``), each once, in position
    /// order, from one snapshot: what `export --id/--user` writes.
    func events(of statuses: [DeviceStatus]) async throws -> [RecordedEvent]
}

extension EnrollmentQueries: EnrollmentReadModel {
    public func events(of statuses: [DeviceStatus]) throws -> [RecordedEvent] {
        let streams = Set(statuses.flatMap(ReadModelAssembly.streams(of:)))
        return try store.read { db in try StoredEventReader(db).events(inStreams: streams) }
    }
}
