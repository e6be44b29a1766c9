import EnrollmentDomain
import Foundation
import GRDB

/// Reads and decodes the log on a thread of its own, ahead of the consumer, through a bounded
/// ``ChunkQueue``: the rebuild folds events on one core while the next ones are read, decoded and
/// decompressed on the other.
///
/// The reader is a read transaction of the pool (a WAL snapshot). Started inside the rebuild's immediate
/// write transaction, it sees the log as that transaction does: nothing can be appended in between, and the
/// rebuild writes no event. At most `chunkSize × capacity` decoded events are held at once. Always
/// ``stop()`` it (it waits for the thread), also when the consumer gives up early.
final class EventReadAhead: Sendable {
    /// The events one chunk holds.
    static let chunkSize = 256
    /// The chunks that wait at once: with ``chunkSize``, 2,048 events.
    static let capacity = 8

    private let queue: ChunkQueue<[RecordedEvent]>
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading the events after `position` from `pool`, decoded with `codec`.
    init(pool: DatabasePool, codec: PayloadCodec, after position: Int64) {
        let queue = ChunkQueue<[RecordedEvent]>(capacity: Self.capacity)
        self.queue = queue
        let done = self.done
        let thread = Thread {
            defer { done.signal() }
            do {
                var chunk: [RecordedEvent] = []
                chunk.reserveCapacity(Self.chunkSize)
                try pool.read { db in
                    try SQLiteEventStore.forEachStoredEvent(db, codec: codec, after: position, limit: nil) { stored in
                        chunk.append(stored.recorded)
                        guard chunk.count == Self.chunkSize else { return true }
                        defer {
                            chunk = []
                            chunk.reserveCapacity(Self.chunkSize)
                        }
                        return queue.put(chunk)
                    }
                }
                if !chunk.isEmpty { queue.put(chunk) }
                queue.finish()
            } catch {
                queue.finish(throwing: error)
            }
        }
        thread.name = "enroll-audit.read-ahead"
        thread.start()
    }

    /// The next events in log order; `nil` after the last.
    ///
    /// - Throws: what reading or decoding the log threw, after every event read before it.
    func next() throws -> [RecordedEvent]? { try queue.next() }

    /// Stops the reader (if it is still reading) and waits for its thread to end; again, returns at once.
    func stop() {
        queue.cancel()
        done.wait()
        done.signal()
    }
}
