import Dispatch

/// Runs async work from the synchronous command tree and waits for it on this thread.
///
/// The command tree runs on the main thread, which is neither a Swift concurrency thread nor a SwiftNIO
/// event loop: blocking it on a semaphore while a task does the work (postgres-nio on its event loops,
/// SQLite on Dispatch threads through `SQLiteEventLog`) starves nothing.
enum BlockingRun {
    static func wait(_ body: @escaping @Sendable () async throws -> Void) -> Result<Void, any Error> {
        Result { try value(body) }
    }

    /// The value `body` returns, or what it throws.
    static func value<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox<T>()
        Task {
            do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        guard let outcome = result.value else { throw CancellationError() }
        return try outcome.get()
    }

    /// The outcome, written by the task and read after it signalled.
    final class ResultBox<T>: @unchecked Sendable {
        // Unchecked: written once by the task before it signals the semaphore, read only after the wait.
        var value: Result<T, any Error>?
        func set(_ newValue: Result<T, any Error>) { value = newValue }
    }
}

/// Hands a value that is not `Sendable` (an output sink) to the task ``BlockingRun`` waits for: the waiting
/// thread does not touch it until the task is done, so it is never used from two threads at once.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
