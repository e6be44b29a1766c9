import EnrollmentDomain

/// What stores the ingest requests: each request all or nothing, answered only once it is committed.
///
/// ``GroupCommitter`` is SQLite's (one writer thread, many requests per transaction, one fsync);
/// ``BatchingAppender`` is a log's that serialises appends itself (PostgreSQL: the requests queued while an
/// append runs go together in the next ``EventStore/EventLog/append(_:expectedVersions:)``). The routes know
/// only this protocol.
public protocol IngestWriter: Sendable {
    /// Appends `events` all or nothing and returns once they are committed.
    ///
    /// - Throws: ``CommitFailure``.
    func submit(_ events: [NewEvent]) async throws -> CommitOutcome

    /// Requests waiting to be committed now.
    var queued: Int { get }

    /// Requests being committed now (taken by the writer, not yet answered).
    var committing: Int { get }

    /// Whether the writer is close to refusing requests (its queue at least 90% full).
    var isNearlyFull: Bool { get }

    /// Starts the writer, before the server takes requests.
    func start()

    /// Takes no new requests, finishes those already taken, and returns when it is done.
    func stop() async
}

extension GroupCommitter: IngestWriter {}

/// An ingest request waiting in a writer's queue: its events, and the task waiting for its outcome.
struct PendingRequest: Sendable {
    var events: [NewEvent]
    var continuation: CheckedContinuation<CommitOutcome, any Error>
}
