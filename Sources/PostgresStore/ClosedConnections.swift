import Foundation
import PostgresNIO

/// Frees the attempt running on a connection when the connection closes under it.
///
/// postgres-nio drops a query written to a connection whose channel has closed (its pipeline is torn down)
/// and never completes it; an attempt whose connection died between two of its queries would wait for
/// ever. Each connection gets one close callback for its lifetime (not one per transaction, which would
/// pile up on a long-lived connection), which fails whichever attempt is running on it.
final class ClosedConnections: @unchecked Sendable {
    // @unchecked: `running` and `hooked` are only touched under `lock`.
    private let lock = NSLock()
    /// The running attempt's way to fail, by connection.
    private var running: [PostgresConnection.ID: @Sendable () -> Void] = [:]
    /// The connections whose close callback is set.
    private var hooked: Set<PostgresConnection.ID> = []

    /// The outcome of the attempt on `connection` (the task `attempt`, which resolves `outcome`), or
    /// ``PostgresErrors/ConnectionClosed`` as soon as the connection closes first. The attempt is cancelled
    /// with the caller; when the connection closes first it is left behind, where its queries on the closed
    /// connection fail or never complete and reach no server.
    func wait<T: Sendable>(
        for outcome: FirstOutcome<T>, of attempt: Task<Void, Never>, on connection: PostgresConnection
    )
        async throws -> T
    {
        let id = connection.id
        let needsHook = lock.withLock {
            running[id] = { outcome.resolve(.failure(PostgresErrors.ConnectionClosed())) }
            return hooked.insert(id).inserted
        }
        if needsHook { connection.closeFuture.whenComplete { _ in self.closed(id) } }
        defer { lock.withLock { _ = running.removeValue(forKey: id) } }
        return try await withTaskCancellationHandler {
            try await outcome.value.get()
        } onCancel: {
            attempt.cancel()
        }
    }

    /// Closes `connection` (lost under an attempt) and waits until it is closed. The pool's own close
    /// callback, set when it opened the connection, runs before this returns, so the pool will not hand the
    /// dead connection out again (it could while its close was not yet noticed).
    static func discard(_ connection: PostgresConnection) async {
        let closing: EventLoopFuture<Void> = connection.close()
        _ = closing
        try? await connection.closeFuture.get()
    }

    private func closed(_ id: PostgresConnection.ID) {
        let fail = lock.withLock {
            hooked.remove(id)
            return running.removeValue(forKey: id)
        }
        fail?()
    }
}

/// A result set once, by whichever side comes first, and awaited by one caller.
final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private enum State {
        case waiting(CheckedContinuation<Result<T, any Error>, Never>?)
        case done(Result<T, any Error>)
    }
    // @unchecked: `state` is only touched under `lock`.
    private let lock = NSLock()
    private var state = State.waiting(nil)

    func resolve(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<Result<T, any Error>, Never>?? = lock.withLock {
            guard case .waiting(let waiter) = state else { return nil }
            state = .done(result)
            return .some(waiter)
        }
        if case .some(let waiter?) = waiter { waiter.resume(returning: result) }
    }

    var value: Result<T, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                let ready: Result<T, any Error>? = lock.withLock {
                    if case .done(let result) = state { return result }
                    state = .waiting(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
