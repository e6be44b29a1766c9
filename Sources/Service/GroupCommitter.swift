import EnrollmentDomain
import EventStore
import Foundation
import Logging
import NIOConcurrencyHelpers

/// What one committed request stored.
public struct CommitOutcome: Sendable, Hashable {
    /// Events stored by this request.
    public var appended = 0
    /// Events already stored with identical content (a retried request).
    public var duplicates = 0
    /// The position of each event, stored now or before, in the order given.
    public var positions: [Int64] = []

    public init() {}

    /// The outcome of a request whose events the store answered with `outcomes`, in order.
    public init(_ outcomes: [AppendOutcome]) {
        for outcome in outcomes {
            switch outcome {
            case .appended(let position):
                appended += 1
                positions.append(position)
            case .duplicate(let position):
                duplicates += 1
                positions.append(position)
            }
        }
    }
}

/// Why a request was not committed.
public enum CommitFailure: Error, Sendable {
    /// The request itself is bad (an event id stored with other content): nothing of it was stored, the
    /// other requests of its transaction were.
    case rejected(EventStoreError)
    /// The queue is full: the writer is behind. Nothing was stored; retry later.
    case busy
    /// The service is stopping and takes no new requests.
    case stopping
    /// The store takes no writes (a hot standby): nothing was stored; send ingest to the primary.
    case readOnly(EventStoreError)
    /// The transaction failed (disk full, I/O): nothing of its requests was stored.
    case store(any Error)
}

/// One writer that owns the store's appends and commits many requests in one transaction.
///
/// Requests wait in a bounded queue. The writer thread takes as many as are waiting (up to
/// ``ServiceConfiguration/maximumBatchRequests``, waiting at most ``ServiceConfiguration/maximumBatchWait``
/// for more while it has fewer than its last commit carried), appends each in its own savepoint (``EventAppender/appendAll(_:)``) so that a bad request
/// fails alone, commits once (one fsync under `synchronous = FULL`), and only then answers every request.
public final class GroupCommitter: Sendable {
    typealias Pending = PendingRequest

    struct State: Sendable {
        var queue: [Pending] = []
        var stopping = false
        var finished: CheckedContinuation<Void, Never>?
        var writerDone = false
        /// Requests the writer has taken and not yet answered.
        var committing = 0
    }

    let store: SQLiteEventStore
    let capacity: Int
    let maximumBatch: Int
    let maximumWait: Duration
    let metrics: ServiceMetrics
    let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    public init(store: SQLiteEventStore, configuration: ServiceConfiguration, metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.capacity = configuration.queueCapacity
        self.maximumBatch = configuration.maximumBatchRequests
        self.maximumWait = configuration.maximumBatchWait
        self.metrics = metrics
        self.logger = logger
    }

    /// Requests waiting for the writer now.
    public var queued: Int { state.withLockedValue { $0.queue.count } }

    /// Requests the writer has taken into its current transaction and not yet answered.
    public var committing: Int { state.withLockedValue { $0.committing } }

    /// Whether the queue is at least 90% full.
    public var isNearlyFull: Bool { queued * 10 >= capacity * 9 }

    /// Appends `events` all or nothing, in a transaction shared with other requests, and returns once it is
    /// committed.
    ///
    /// - Throws: ``CommitFailure``.
    public func submit(_ events: [NewEvent]) async throws -> CommitOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let refusal: CommitFailure? = state.withLockedValue { state in
                if state.stopping { return .stopping }
                if state.queue.count >= capacity { return .busy }
                state.queue.append(Pending(events: events, continuation: continuation))
                return nil
            }
            if let refusal {
                continuation.resume(throwing: refusal)
            } else {
                wakeUp.signal()
            }
        }
    }

    /// Starts the writer thread.
    public func start() {
        let thread = Thread { [self] in
            writerLoop()
        }
        thread.name = "enroll-audit-writer"
        thread.start()
    }

    /// Takes no new requests, commits those already queued, and returns when the writer has stopped.
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state in
                state.stopping = true
                if state.writerDone { return true }
                state.finished = continuation
                return false
            }
            if done {
                continuation.resume()
            } else {
                wakeUp.signal()
            }
        }
    }

    private func writerLoop() {
        let (seconds, attoseconds) = maximumWait.components
        let waitNanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        var lastBatch = 1
        while true {
            let (empty, stopping) = state.withLockedValue { ($0.queue.isEmpty, $0.stopping) }
            if empty {
                if stopping { break }
                wakeUp.wait()
                continue
            }
            var batch = take()
            // A bounded wait for more requests to share the commit with, until as many are in as the last
            // commit carried: the clients it answered are likely sending their next requests. A lone
            // client (a last commit of one) waits for nothing.
            let target = min(maximumBatch, lastBatch)
            if batch.count < target && waitNanoseconds > 0 {
                let deadline = DispatchTime.now() + .nanoseconds(waitNanoseconds)
                while batch.count < target, wakeUp.wait(timeout: deadline) == .success {
                    batch += take(upTo: maximumBatch - batch.count)
                }
            }
            lastBatch = batch.count
            commit(batch)
        }
        let finished = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.writerDone = true
            return state.finished
        }
        finished?.resume()
    }

    private func take(upTo limit: Int? = nil) -> [Pending] {
        state.withLockedValue { state in
            let count = min(state.queue.count, limit ?? maximumBatch)
            let taken = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            state.committing += count
            return taken
        }
    }

    private func commit(_ batch: [Pending]) {
        defer { state.withLockedValue { $0.committing -= batch.count } }
        var results: [Result<CommitOutcome, CommitFailure>] = []
        let started = ContinuousClock.now
        do {
            try store.write { appender in
                results.removeAll(keepingCapacity: true)
                for request in batch {
                    do {
                        results.append(.success(CommitOutcome(try appender.appendAll(request.events))))
                    } catch let error as EventStoreError where error.isAboutTheRequest {
                        results.append(.failure(.rejected(error)))
                    }
                }
            }
        } catch {
            logger.error("a group commit failed", metadata: ["audit.requests": "\(batch.count)", "error": "\(error)"])
            metrics.recordCommitFailure()
            for request in batch { request.continuation.resume(throwing: CommitFailure.store(error)) }
            return
        }
        metrics.recordCommit(requests: batch.count, duration: ContinuousClock.now - started)
        for (request, result) in zip(batch, results) {
            switch result {
            case .success(let outcome): request.continuation.resume(returning: outcome)
            case .failure(let failure): request.continuation.resume(throwing: failure)
            }
        }
    }
}

extension EventStoreError {
    /// Whether the error is about the events of one request, not the store: the request fails alone.
    var isAboutTheRequest: Bool {
        code == .invalidEvent || code == .eventIDConflict || code == .versionConflict
    }
}
