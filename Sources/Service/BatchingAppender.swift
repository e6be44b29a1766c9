import EnrollmentDomain
import EventStore
import Logging
import NIOConcurrencyHelpers

/// The writer of a log that serialises appends itself (PostgreSQL: the position lock, held from the
/// position step to the commit, with its retries of serialization failures and lost connections): group
/// commit without a thread or a wait.
///
/// One append runs at a time. Requests that arrive meanwhile queue; when it returns, the next append takes
/// every queued request (up to ``ServiceConfiguration/maximumBatchRequests``) as **one**
/// ``EventLog/append(_:expectedVersions:)``, so that many small requests pay for one transaction and one
/// commit, not one each. A request is answered once its transaction committed on the server. When a
/// batch is refused for one request's events (an event id stored with other content), nothing of it was
/// stored, and each of its requests is appended again alone: the bad one fails alone. At most
/// ``ServiceConfiguration/queueCapacity`` requests are waiting or committing; more are refused with
/// ``CommitFailure/busy``. docs/serve.md ("Ingest on PostgreSQL") gives the measurement behind it.
public final class BatchingAppender: Sendable {
    typealias Pending = PendingRequest

    struct State: Sendable {
        var queue: [Pending] = []
        var appending = false
        var committing = 0
        var stopping = false
        var drained: [CheckedContinuation<Void, Never>] = []
        var idle: Bool { queue.isEmpty && !appending }
    }

    let log: any EventLog
    let capacity: Int
    let maximumBatch: Int
    let metrics: ServiceMetrics
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    public init(log: any EventLog, configuration: ServiceConfiguration, metrics: ServiceMetrics, logger: Logger) {
        self.log = log
        self.capacity = configuration.queueCapacity
        self.maximumBatch = configuration.maximumBatchRequests
        self.metrics = metrics
        self.logger = logger
    }

    public func submit(_ events: [NewEvent]) async throws -> CommitOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let (refusal, lead): (CommitFailure?, Bool) = state.withLockedValue { state in
                if state.stopping { return (.stopping, false) }
                if state.queue.count + state.committing >= capacity { return (.busy, false) }
                state.queue.append(Pending(events: events, continuation: continuation))
                guard !state.appending else { return (nil, false) }
                state.appending = true
                return (nil, true)
            }
            if let refusal {
                continuation.resume(throwing: refusal)
            } else if lead {
                Task { await drain() }
            }
        }
    }

    /// Appends batch after batch while requests are queued, then hands the lead back.
    private func drain() async {
        while true {
            let batch = state.withLockedValue { state -> [Pending] in
                let taken = Array(state.queue.prefix(maximumBatch))
                state.queue.removeFirst(taken.count)
                state.committing = taken.count
                if taken.isEmpty { state.appending = false }
                return taken
            }
            guard !batch.isEmpty else { break }
            await commit(batch)
            state.withLockedValue { $0.committing = 0 }
        }
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard state.idle else { return [] }
            defer { state.drained = [] }
            return state.drained
        }
        for continuation in waiting { continuation.resume() }
    }

    private func commit(_ batch: [Pending]) async {
        let started = ContinuousClock.now
        do {
            let outcomes = try await log.append(batch.flatMap(\.events)).outcomes
            metrics.recordCommit(requests: batch.count, duration: ContinuousClock.now - started)
            var next = outcomes.startIndex
            for request in batch {
                let end = next + request.events.count
                request.continuation.resume(returning: CommitOutcome(Array(outcomes[next..<end])))
                next = end
            }
        } catch let error as EventStoreError where error.isAboutTheRequest && batch.count > 1 {
            // One request's events refused the batch, and nothing of it was stored: each alone now.
            for request in batch { await commit([request]) }
        } catch {
            let failure = Self.failure(error)
            if case .store = failure {
                logger.error(
                    "an append failed", metadata: ["audit.requests": "\(batch.count)", "error": "\(error)"])
                metrics.recordCommitFailure()
            }
            for request in batch { request.continuation.resume(throwing: failure) }
        }
    }

    static func failure(_ error: any Error) -> CommitFailure {
        guard let error = error as? EventStoreError else { return .store(error) }
        if error.isAboutTheRequest { return .rejected(error) }
        if error.code == .readOnly { return .readOnly(error) }
        return .store(error)
    }

    /// Requests waiting for the append in flight to return.
    public var queued: Int { state.withLockedValue { $0.queue.count } }

    /// Requests of the append in flight.
    public var committing: Int { state.withLockedValue { $0.committing } }

    public var isNearlyFull: Bool { (queued + committing) * 10 >= capacity * 9 }

    /// Nothing to start: the first request's task leads the appends.
    public func start() {}

    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state in
                state.stopping = true
                if state.idle { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

extension BatchingAppender: IngestWriter {}
