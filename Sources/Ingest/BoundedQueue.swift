import Foundation

/// A bounded first-in, first-out hand-off from one producing thread to one consuming thread.
///
/// The producer ``put(_:)``s elements and waits while ``capacity`` of them wait to be taken (back-pressure:
/// the memory held is bounded by the capacity, whatever the speeds); it ends the queue with ``finish(throwing:)``.
/// The consumer takes every waiting element at once with ``takeAll(into:)`` (one lock per batch, not per
/// element), in the order they were put, then the producer's error, once, after the elements put before it.
/// ``cancel()`` (the consumer gave up) wakes a waiting producer and makes every later ``put(_:)`` return
/// `false`. `BoundedQueueTests` pins the order, the bound and the error's place.
final class BoundedQueue<Element>: @unchecked Sendable {
    // @unchecked: every shared member below is read and written under `condition` only.
    private enum End {
        case finished
        case failure(any Error)
    }

    /// The most elements that wait at once.
    let capacity: Int
    private let condition = NSCondition()
    private var ready: [Element] = []
    /// The batch the consumer took last, handed back by ``takeAll(into:)`` for the producer to free on
    /// its own thread at its next ``put(_:)`` (the consumer, the bulk ingest's writer, is the busier one).
    private var spent: [Element] = []
    private var end: End?
    private var cancelled = false
    /// Each side says when it waits, so the other wakes it (one flag for both could be cleared by the
    /// wrong side and leave both waiting).
    private var consumerWaiting = false
    private var producerWaiting = false

    /// A queue holding at most `capacity` elements (at least one).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        ready.reserveCapacity(min(self.capacity, 65_536))
    }

    /// The number of elements waiting now (for tests and progress).
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return ready.count
    }

    /// Adds `element` after those put before, waiting while ``capacity`` elements wait.
    ///
    /// - Returns: `false` when the consumer cancelled (the element is dropped; stop producing).
    @discardableResult
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if !spent.isEmpty { releaseSpent() }
            guard ready.count >= capacity && !cancelled else { break }
            producerWaiting = true
            condition.wait()
            producerWaiting = false
        }
        guard !cancelled, end == nil else { return false }
        ready.append(element)
        if consumerWaiting { condition.broadcast() }
        return true
    }

    /// Frees the batch the consumer handed back, outside the lock (called and returning with it held).
    private func releaseSpent() {
        var batch: [Element] = []
        swap(&batch, &spent)
        condition.unlock()
        batch.removeAll()
        condition.lock()
    }

    /// Ends the queue: once the elements already put are taken, ``takeAll(into:)`` throws `error` (once)
    /// or, without one, reports the end.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        defer { condition.unlock() }
        if end == nil { end = error.map(End.failure) ?? .finished }
        if consumerWaiting { condition.broadcast() }
    }

    /// Makes the producer stop: a waiting ``put(_:)`` returns `false`, and so does every later one.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
    }

    /// Replaces the contents of `batch` with every element waiting, in order, waiting for at least one.
    ///
    /// The elements `batch` held are handed to the producer, which frees them at its next ``put(_:)``:
    /// the consumer spends no time destroying what the producer built. By then the producer has freed
    /// the batch handed back before (it frees it before it puts anything), so at most two batches are
    /// held, as without the hand-back.
    ///
    /// - Returns: `false` at the end of the queue (`batch` is then empty, and every element freed).
    /// - Throws: the error the producer finished with, after every element put before it; once.
    func takeAll(into batch: inout [Element]) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && end == nil {
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
        guard ready.isEmpty else {
            if spent.isEmpty { swap(&spent, &batch) } else { batch.removeAll(keepingCapacity: true) }
            swap(&batch, &ready)
            if producerWaiting { condition.broadcast() }
            return true
        }
        // The end: the producer puts nothing more, so it frees nothing more either.
        batch.removeAll()
        spent.removeAll()
        if case .failure(let error) = end {
            end = .finished
            throw error
        }
        return false
    }
}
