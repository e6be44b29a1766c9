import EnrollmentDomain
import PostgresNIO
import Projections

/// The read models on PostgreSQL, updated inside every append transaction (``PostgresEventStore/append(_:expectedVersions:)``
/// and ``PostgresEventStore/appendVerbatim(_:)``, so `copy --to` fills them too), by the same folds as on
/// SQLite (``IdentityFold``, then ``DeviceStatusFold``, which reads the identity tables as the identity
/// apply left them), read through ``PostgresFoldState`` and written by ``PostgresProjectionApplier``.
///
/// Safe because it is the append's own transaction: the rows and the read models commit together or not
/// at all; the folds read their own transaction's writes (READ COMMITTED: each statement sees what the
/// transaction wrote before it); and the position lock the transaction took first serialises every
/// writer of the log and so of the read models, so the state the folds read is not changed under them.
enum PostgresReadModels {
    /// Every this many events, the folds are drained (bounded memory in a long `copy` batch).
    static let flushInterval: Int64 = 10_000

    /// Applies the newly stored `events` (in position order) to the read models, on `connection`, in its
    /// transaction. Returns the number of queries it sent.
    static func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws
        -> Int
    {
        guard !events.isEmpty else { return 0 }
        return try await PostgresFoldThread.run(on: connection, logger: logger) { thread in
            let state = PostgresFoldState(thread)
            let applier = PostgresProjectionApplier(thread: thread)
            let empty =
                try thread.rows("SELECT NOT EXISTS (SELECT 1 FROM identity_nodes)").first?.decode(Bool.self) ?? false
            let identity = IdentityFold(reader: state, tablesAreEmpty: empty)
            let status = DeviceStatusFold(reader: state, flushInterval: flushInterval)
            var streams: Set<String> = []
            /// Streams that began in `events`: the status fold holds their events.
            var begun: Set<String> = []
            /// The ids the identity fold looks up first for the events from `start` up to the next
            /// drain, read ahead (nothing to read in tables that were empty).
            func readAhead(from start: Int) throws {
                guard !empty, start < events.count else { return }
                let chunk = events[start..<min(events.count, start + Int(flushInterval))]
                try state.prefetchIdentity(ids: chunk.flatMap(IdentityFold.ids(of:)))
            }
            func flush() throws {
                try applier.apply(identity.drain())
                state.forgetIdentity()
                try state.prefetch(streams: Array(streams), begun: begun)
                streams.removeAll(keepingCapacity: true)
                try applier.apply(try status.drain(), countingAggregate: true)
            }
            try readAhead(from: 0)
            for (index, event) in events.enumerated() {
                try identity.apply(event)
                status.apply(event)
                streams.insert(event.event.stream)
                if event.version == 1 { begun.insert(event.event.stream) }
                if identity.needsFlush || status.needsFlush {
                    try flush()
                    try readAhead(from: index + 1)
                }
            }
            try flush()
            return thread.roundTrips
        }
    }
}
