import EnrollmentDomain
import EventStore
import Logging
import NIOConcurrencyHelpers

/// Stores each ingest request with one ``EventLog/append(_:expectedVersions:)`` of its own, concurrently:
/// the writer of a log that serialises its appends itself (PostgreSQL: the position lock, held from the
/// position step to the commit, and its retries of serialization failures and lost connections).
///
/// A request is answered once its transaction committed on the server, and fails alone: a bad request is
/// a transaction of its own that rolls back. At most ``ServiceConfiguration/queueCapacity`` requests are in
/// flight (waiting for a pooled connection or the position lock, or committing); more are refused with
/// ``CommitFailure/busy``. docs/serve.md ("Ingest on PostgreSQL") says why there is no group commit here.
public final class RequestAppender: Sendable {
    struct State: Sendable {
        var inFlight = 0
        var stopping = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    let log: any EventLog
    let capacity: Int
    let metrics: ServiceMetrics
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    public init(log: any EventLog, configuration: ServiceConfiguration, metrics: ServiceMetrics, logger: Logger) {
        self.log = log
        self.capacity = configuration.queueCapacity
        self.metrics = metrics
        self.logger = logger
    }

    public func submit(_ events: [NewEvent]) async throws -> CommitOutcome {
        let refusal: CommitFailure? = state.withLockedValue { state in
            if state.stopping { return .stopping }
            if state.inFlight >= capacity { return .busy }
            state.inFlight += 1
            return nil
        }
        if let refusal { throw refusal }
        defer { finishOne() }
        let started = ContinuousClock.now
        let result: AppendResult
        do {
            result = try await log.append(events)
        } catch let error as EventStoreError where error.isAboutTheRequest {
            throw CommitFailure.rejected(error)
        } catch let error as EventStoreError where error.code == .readOnly {
            throw CommitFailure.readOnly(error)
        } catch {
            logger.error("an append failed", metadata: ["audit.events": "\(events.count)", "error": "\(error)"])
            metrics.recordCommitFailure()
            throw CommitFailure.store(error)
        }
        metrics.recordCommit(requests: 1, duration: ContinuousClock.now - started)
        return CommitOutcome(result.outcomes)
    }

    private func finishOne() {
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.inFlight == 0 else { return [] }
            defer { state.drained = [] }
            return state.drained
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Requests whose append has not returned yet (waiting for a connection, the lock, or the commit).
    public var queued: Int { state.withLockedValue { $0.inFlight } }

    /// The same requests: each is its own transaction, so waiting and committing are one state here.
    public var committing: Int { queued }

    public var isNearlyFull: Bool { queued * 10 >= capacity * 9 }

    /// Nothing to start: each request appends on the task that serves it.
    public func start() {}

    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state in
                state.stopping = true
                if state.inFlight == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

extension RequestAppender: IngestWriter {}
