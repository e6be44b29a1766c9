import EnrollmentDomain
import Foundation
import TestSupport
import Testing

@testable import EventStore

/// The rebuild reads the log on a second thread (``EventReadAhead``): the same events in the same order
/// as a read on the calling thread, and a clean stop when the reader is ahead (a damaged row's error:
/// `RebuildReadErrorTests`).
struct EventReadAheadTests {
    let directory = TemporaryDirectory()

    /// A store of `count` events over 300 streams (more than the read-ahead holds at once).
    func store(events count: Int) throws -> (store: SQLiteEventStore, path: String) {
        let path = directory.path("store.sqlite")
        let store = try SQLiteEventStore(path: path)
        let lines = EventFactory.ndjsonLines(count: count, streams: 300)
        try store.append(try lines.map { try NewEvent(ndjsonLine: Array($0.utf8)) })
        return (store, path)
    }

    @Test func theReadAheadGivesEveryEventAfterThePositionInLogOrderAsTheCallingThreadReadsThem() throws {
        let held = EventReadAhead.chunkSize * EventReadAhead.capacity
        let (store, _) = try store(events: held * 2 + 77)
        for start: Int64 in [0, 1, Int64(EventReadAhead.chunkSize), Int64(held * 2)] {
            var expected: [RecordedEvent] = []
            try store.forEachStoredEvent(after: start, limit: nil) { stored in
                expected.append(stored.recorded)
                return true
            }
            let readAhead = EventReadAhead(pool: store.pool, codec: store.codec, after: start)
            defer { readAhead.stop() }
            var read: [RecordedEvent] = []
            while let chunk = try readAhead.next() {
                #expect(chunk.count <= EventReadAhead.chunkSize)
                read += chunk
            }
            #expect(read.count == expected.count)
            #expect(read == expected)
        }
    }

    @Test func stoppingAReadAheadThatIsWaitingOnAFullQueueReturnsAndASecondStopToo() throws {
        let (store, _) = try store(events: EventReadAhead.chunkSize * (EventReadAhead.capacity + 4))
        let readAhead = EventReadAhead(pool: store.pool, codec: store.codec, after: 0)
        let first = try #require(try readAhead.next())
        #expect(first.first?.position == 1)
        let stopped = DispatchSemaphore(value: 0)
        Thread {
            readAhead.stop()
            readAhead.stop()
            stopped.signal()
        }.start()
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        // The store is usable afterwards: the reader's snapshot was released.
        try store.append([EventFactory.event(stream: "UE-after-stop")])
        #expect(try store.head().position == Int64(EventReadAhead.chunkSize * (EventReadAhead.capacity + 4) + 1))
    }

}
