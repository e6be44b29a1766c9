import EnrollmentDomain
import EventStore
import Foundation

/// Reads, decodes and prepares records on a worker thread, ahead of the appends: on a machine with two
/// cores the next records are parsed, validated, canonicalised, compressed and half hashed
/// (``EventPreparer``) while the writer thread links the previous ones into the chain and the tree and
/// stores them.
///
/// Records come out in input order, each as soon as it is prepared (a slow pipe is not held back until a
/// batch fills), and a read error comes out after the records before it. Bounded: the worker waits when
/// ``capacity`` records wait in its ``BoundedQueue``; with the batch the writer took last, at most twice
/// that many records are held; the worker frees each batch the writer is done with (``BoundedQueue/takeAll(into:)``),
/// so the writer does not. The ``RecordStream`` belongs to the worker once ``start()`` is called.
final class RecordPrefetcher: @unchecked Sendable {
    // @unchecked: the stream and the preparer are used by the worker thread only, after `start()`; the
    // queue is the one thing both threads touch, and it locks.
    typealias Item = (input: String, format: InputFormat, record: DecodedRecord, prepared: [PreparedEvent])

    /// A read error with the input it happened in.
    private struct ReadFailure: Error {
        var error: any Error
        var input: String
    }

    private let stream: RecordStream
    private let preparer: EventPreparer?
    private let queue: BoundedQueue<Item>
    // The consumer's own:
    private var taken: [Item] = []
    private var index = 0
    /// The input of the record last returned (or of the read error thrown).
    private(set) var currentName = "-"

    /// The records of `stream`, with their events prepared by `preparer` (none without one).
    init(_ stream: RecordStream, capacity: Int = 4_096, preparer: EventPreparer? = nil) {
        self.stream = stream
        self.preparer = preparer
        queue = BoundedQueue(capacity: capacity)
    }

    /// The most records waiting at once.
    var capacity: Int { queue.capacity }

    /// Starts the worker thread.
    func start() {
        let thread = Thread { [self] in produce() }
        thread.name = "enroll-audit ingest reader"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Makes the worker thread stop at its next record (call when the consumer gives up early).
    func stop() {
        queue.cancel()
    }

    /// The next record, or `nil` at the end of the inputs.
    ///
    /// - Throws: the error that stopped the reading (I/O, a damaged `.lz4` frame), in its place.
    func next() throws -> Item? {
        if index == taken.count {
            index = 0
            do {
                guard try queue.takeAll(into: &taken) else { return nil }
            } catch let failure as ReadFailure {
                currentName = failure.input
                throw failure.error
            }
        }
        let item = taken[index]
        index += 1
        currentName = item.input
        return item
    }

    private func produce() {
        while true {
            do {
                guard let (input, format, record) = try stream.next() else {
                    queue.finish()
                    return
                }
                var prepared: [PreparedEvent] = []
                if let preparer, case .events(let events) = record.outcome { prepared = events.map(preparer.prepare) }
                guard queue.put((input, format, record, prepared)) else { return }
            } catch {
                queue.finish(throwing: ReadFailure(error: error, input: stream.currentName))
                return
            }
        }
    }
}
