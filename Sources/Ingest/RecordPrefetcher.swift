import Foundation

/// Reads and decodes records on a second thread, ahead of the appends: on a machine with two cores the
/// next records are parsed while the previous ones are stored.
///
/// Records come out in input order, each as soon as it is decoded (a slow pipe is not held back until a
/// batch fills), and a read error comes out after the records before it. Bounded: the reading thread
/// waits when ``capacity`` records are waiting. The ``RecordStream`` belongs to the reading thread once
/// ``start()`` is called.
final class RecordPrefetcher: @unchecked Sendable {
    typealias Item = (input: String, format: InputFormat, record: DecodedRecord)

    private enum End {
        case finished
        case failure(any Error, input: String)
    }

    private let stream: RecordStream
    let capacity: Int
    private let condition = NSCondition()
    // Shared between the threads, under `condition`:
    private var ready: [Item] = []
    private var end: End?
    private var stopped = false
    /// Each side says when it waits, so the other wakes it (one flag for both could be cleared by the
    /// wrong side and leave both waiting).
    private var consumerWaiting = false
    private var producerWaiting = false
    // The consumer's own:
    private var taken: [Item] = []
    private var index = 0
    /// The input of the record last returned (or of the read error thrown).
    private(set) var currentName = "-"

    init(_ stream: RecordStream, capacity: Int = 4_096) {
        self.stream = stream
        self.capacity = max(1, capacity)
    }

    /// Starts the reading thread.
    func start() {
        let thread = Thread { [self] in produce() }
        thread.name = "enroll-audit ingest reader"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Makes the reading thread stop at its next record (call when the consumer gives up early).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next record, or `nil` at the end of the inputs.
    ///
    /// - Throws: the error that stopped the reading (I/O, a damaged `.lz4` frame), in its place.
    func next() throws -> Item? {
        while true {
            if index < taken.count {
                let item = taken[index]
                index += 1
                currentName = item.input
                return item
            }
            condition.lock()
            while ready.isEmpty && end == nil {
                consumerWaiting = true
                condition.wait()
                consumerWaiting = false
            }
            guard ready.isEmpty else {
                // Take everything decoded so far in one go: one lock per batch, not per record.
                swap(&taken, &ready)
                ready.removeAll(keepingCapacity: true)
                index = 0
                if producerWaiting { condition.broadcast() }
                condition.unlock()
                continue
            }
            let end = end
            // The error is thrown once; after it the inputs are finished. Written under the lock: the
            // reading thread reads `end` too.
            if case .failure = end { self.end = .finished }
            condition.unlock()
            taken.removeAll()
            index = 0
            switch end {
            case .failure(let error, let input):
                currentName = input
                throw error
            case .finished, nil:
                return nil
            }
        }
    }

    private func produce() {
        while true {
            let result = Result { try stream.next() }
            condition.lock()
            while ready.count >= capacity && !stopped {
                producerWaiting = true
                condition.wait()
                producerWaiting = false
            }
            guard !stopped else {
                condition.unlock()
                return
            }
            switch result {
            case .success(let item?): ready.append(item)
            case .success(nil): end = .finished
            case .failure(let error): end = .failure(error, input: stream.currentName)
            }
            let done = end != nil
            if consumerWaiting { condition.broadcast() }
            condition.unlock()
            if done { return }
        }
    }
}
