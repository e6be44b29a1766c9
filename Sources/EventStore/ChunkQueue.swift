import Foundation

/// A bounded hand-off of chunks from one producing thread to one consuming thread, in order.
///
/// The producer ``put(_:)``s chunks and waits while ``capacity`` of them wait to be taken, so the memory
/// held is bounded by the capacity whatever the speeds of the two sides; it ends the queue with
/// ``finish(throwing:)``. The consumer takes one chunk at a time with ``next()``: the chunks in the order
/// they were put, then the producer's error (once), or `nil` at the end. ``cancel()`` (the consumer gave
/// up) wakes a waiting producer and makes every later ``put(_:)`` return `false`. The rebuild reads the
/// log through one (`EventReadAhead`); `ChunkQueueTests` pins the order, the bound and the error's place.
final class ChunkQueue<Chunk: Sendable>: @unchecked Sendable {
    // @unchecked: every member below but `capacity` is read and written under `condition` only.
    /// The most chunks that wait at once (at least one).
    let capacity: Int
    private let condition = NSCondition()
    private var waiting: [Chunk] = []
    private var head = 0
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false

    /// A queue holding at most `capacity` chunks.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of chunks waiting now.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting.count - head
    }

    /// Adds `chunk` after those put before, waiting while ``capacity`` chunks wait.
    ///
    /// - Returns: `false` when the consumer cancelled or the queue was finished (the chunk is dropped).
    @discardableResult
    func put(_ chunk: Chunk) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count - head >= capacity && !cancelled {
            condition.wait()
        }
        guard !cancelled, !finished else { return false }
        waiting.append(chunk)
        condition.broadcast()
        return true
    }

    /// Ends the queue: once the chunks already put are taken, ``next()`` throws `error` (once) or, without
    /// one, returns `nil`. Only the first call counts.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        defer { condition.unlock() }
        guard !finished else { return }
        finished = true
        failure = error
        condition.broadcast()
    }

    /// Makes the producer stop: a waiting ``put(_:)`` returns `false`, and so does every later one.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
    }

    /// The oldest chunk waiting, waiting for one while the queue is not finished.
    ///
    /// - Returns: `nil` at the end of the queue.
    /// - Throws: the error the producer finished with, after every chunk put before it; once.
    func next() throws -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while head == waiting.count && !finished {
            condition.wait()
        }
        if head < waiting.count {
            let chunk = waiting[head]
            head += 1
            if head == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.broadcast()
            return chunk
        }
        if let error = failure {
            failure = nil
            throw error
        }
        return nil
    }
}
