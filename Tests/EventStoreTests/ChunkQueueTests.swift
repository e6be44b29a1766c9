import Foundation
import TestSupport
import Testing

@testable import EventStore

/// The rebuild's hand-off between its reading thread and the folds: order, the bound, the error's place,
/// cancellation.
struct ChunkQueueTests {
    /// What a producer thread did, for the test thread to read.
    final class Tally: @unchecked Sendable {
        // @unchecked: every member is read and written under `lock`.
        private let lock = NSLock()
        private var accepted = 0
        private var refusals = 0

        func accept() { lock.withLock { accepted += 1 } }
        func refuse() { lock.withLock { refusals += 1 } }
        var puts: Int { lock.withLock { accepted } }
        var refused: Int { lock.withLock { refusals } }
    }

    /// Waits until `condition` holds, polling every millisecond, for at most ten seconds.
    static func waitFor(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !condition() && Date() < deadline { usleep(1_000) }
        return condition()
    }

    @Test(arguments: [1, 2, 8, 1_000])
    func everyChunkComesOutOnceInTheOrderItWasPutWhateverTheCapacity(capacity: Int) throws {
        let queue = ChunkQueue<[Int]>(capacity: capacity)
        Thread {
            for start in stride(from: 0, to: 10_000, by: 7) { queue.put(Array(start..<min(start + 7, 10_000))) }
            queue.finish()
        }.start()
        var seen: [Int] = []
        while let chunk = try queue.next() {
            #expect(queue.count <= capacity)
            seen += chunk
        }
        #expect(seen == Array(0..<10_000))
        #expect(try queue.next() == nil)
    }

    @Test func aProducerWaitsWhileCapacityChunksWaitAndResumesWhenOneIsTaken() throws {
        let queue = ChunkQueue<Int>(capacity: 2)
        let tally = Tally()
        Thread {
            for value in 0..<6 {
                guard queue.put(value) else { return }
                tally.accept()
            }
            queue.finish()
        }.start()
        #expect(Self.waitFor { tally.puts == 2 })
        // The third put waits: give it time to get through if the bound did not hold.
        usleep(200_000)
        #expect(tally.puts == 2)
        #expect(queue.count == 2)
        #expect(try queue.next() == 0)
        #expect(Self.waitFor { tally.puts == 3 })
        var rest: [Int] = []
        while let value = try queue.next() { rest.append(value) }
        #expect(rest == [1, 2, 3, 4, 5])
    }

    struct ReadFailed: Error, Equatable {
        var position: Int
    }

    @Test func theProducersErrorComesAfterTheChunksPutBeforeItOnceAndThenTheEnd() throws {
        let queue = ChunkQueue<Int>(capacity: 3)
        Thread {
            for value in 0..<50 { queue.put(value) }
            queue.finish(throwing: ReadFailed(position: 51))
            // A put after the end is refused; a second finish changes nothing.
            queue.put(999)
            queue.finish()
        }.start()
        var seen: [Int] = []
        let error = #expect(throws: ReadFailed.self) {
            while let value = try queue.next() { seen.append(value) }
        }
        #expect(error == ReadFailed(position: 51))
        #expect(seen == Array(0..<50))
        #expect(try queue.next() == nil)
    }

    @Test func cancellingWakesAWaitingProducerAndRefusesEveryLaterPut() throws {
        let queue = ChunkQueue<Int>(capacity: 1)
        let tally = Tally()
        let ended = DispatchSemaphore(value: 0)
        Thread {
            for value in 0..<10 where !queue.put(value) {
                tally.refuse()
                break
            }
            ended.signal()
        }.start()
        #expect(Self.waitFor { queue.count == 1 })
        queue.cancel()
        #expect(ended.wait(timeout: .now() + 10) == .success)
        #expect(tally.refused == 1)
        #expect(queue.put(42) == false)
    }
}
