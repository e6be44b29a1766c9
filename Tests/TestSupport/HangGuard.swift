import Foundation

/// Runs work that might never return (a hang under test) with a bound on the wait.
public enum HangGuard {
    /// The outcome of `work`, or `nil` when it has not returned within `limit`. The work runs in a task of
    /// its own, cancelled when the limit passes but not waited for: a hang that ignores cancellation
    /// stays behind instead of blocking the caller.
    public static func run<T: Sendable>(
        within limit: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        let gate = Gate<Result<T, any Error>?>()
        let worker = Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            gate.resolve(result)
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            gate.resolve(nil)
        }
        let outcome = await gate.value
        timer.cancel()
        if outcome == nil { worker.cancel() }
        return outcome
    }

    /// A value set once, by whichever side comes first; awaited by one caller.
    private final class Gate<Value: Sendable>: @unchecked Sendable {
        private enum State {
            case waiting(CheckedContinuation<Value, Never>?)
            case done(Value)
        }
        // @unchecked: `state` is only touched under `lock`.
        private let lock = NSLock()
        private var state = State.waiting(nil)

        func resolve(_ value: Value) {
            let waiter: CheckedContinuation<Value, Never>? = lock.withLock {
                guard case .waiting(let waiter) = state else { return nil }
                state = .done(value)
                return waiter
            }
            waiter?.resume(returning: value)
        }

        var value: Value {
            get async {
                await withCheckedContinuation { continuation in
                    let ready: Value? = lock.withLock {
                        if case .done(let value) = state { return value }
                        state = .waiting(continuation)
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            }
        }
    }
}
