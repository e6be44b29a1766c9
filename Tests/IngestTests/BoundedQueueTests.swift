import Foundation
import Testing

@testable import Ingest

/// The ingest's hand-off between its worker thread and the writer: order, the bound, the error's place.
struct BoundedQueueTests {
    /// What a producer thread did, for the test thread to read.
    final class Progress: @unchecked Sendable {
        // @unchecked: every member is read and written under `lock`.
        private let lock = NSLock()
        private var puts = 0
        private var refused = false

        func put() { lock.withLock { puts += 1 } }
        func refuse() { lock.withLock { refused = true } }
        var count: Int { lock.withLock { puts } }
        var wasRefused: Bool { lock.withLock { refused } }
    }

    /// Polls `condition` every millisecond for at most `seconds`.
    static func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }

    @Test(arguments: [1, 3, 64, 10_000])
    func everyElementComesOutOnceInTheOrderItWasPutAndNoBatchExceedsTheCapacity(capacity: Int) throws {
        let queue = BoundedQueue<Int>(capacity: capacity)
        let count = 20_000
        Thread {
            for value in 0..<count { queue.put(value) }
            queue.finish()
        }.start()
        var seen: [Int] = []
        var batch: [Int] = []
        var largest = 0
        while try queue.takeAll(into: &batch) {
            largest = max(largest, batch.count)
            seen += batch
        }
        #expect(seen == Array(0..<count))
        #expect(largest <= capacity)
        #expect(try queue.takeAll(into: &batch) == false)
        #expect(batch.isEmpty)
    }

    @Test func theProducerWaitsWhileCapacityElementsWaitAndGoesOnOnceTheyAreTaken() throws {
        let queue = BoundedQueue<Int>(capacity: 3)
        let progress = Progress()
        Thread {
            for value in 0..<10 {
                guard queue.put(value) else { return }
                progress.put()
            }
            queue.finish()
        }.start()
        #expect(Self.eventually { progress.count == 3 })
        // The fourth put is waiting: give it time to (wrongly) get through.
        usleep(200_000)
        #expect(progress.count == 3)
        #expect(queue.count == 3)
        var batch: [Int] = []
        #expect(try queue.takeAll(into: &batch))
        #expect(batch == [0, 1, 2])
        var rest: [Int] = []
        while try queue.takeAll(into: &batch) {
            #expect(batch.count <= 3)
            rest += batch
        }
        #expect(rest == Array(3..<10))
        #expect(progress.count == 10)
    }

    struct Broken: Error, Equatable {
        var line: Int
    }

    @Test func theProducersErrorComesAfterEveryElementPutBeforeItAndOnlyOnce() throws {
        let queue = BoundedQueue<Int>(capacity: 4)
        Thread {
            for value in 0..<100 { queue.put(value) }
            queue.finish(throwing: Broken(line: 101))
            // Nothing is taken after the end.
            queue.put(999)
        }.start()
        var seen: [Int] = []
        var batch: [Int] = []
        let error = #expect(throws: Broken.self) {
            while try queue.takeAll(into: &batch) { seen += batch }
        }
        #expect(error == Broken(line: 101))
        #expect(seen == Array(0..<100))
        #expect(try queue.takeAll(into: &batch) == false)
    }

    @Test func cancellingReleasesAWaitingProducerAndRefusesEveryLaterPut() throws {
        let queue = BoundedQueue<Int>(capacity: 2)
        let progress = Progress()
        let done = DispatchSemaphore(value: 0)
        Thread {
            for value in 0..<10 {
                guard queue.put(value) else {
                    progress.refuse()
                    break
                }
                progress.put()
            }
            done.signal()
        }.start()
        #expect(Self.eventually { progress.count == 2 })
        queue.cancel()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(progress.wasRefused)
        #expect(progress.count == 2)
        #expect(queue.put(42) == false)
    }
}
