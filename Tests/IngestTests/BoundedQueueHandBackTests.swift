import Foundation
import Testing

@testable import Ingest

/// The queue hands each batch the consumer is done with back to the producer, which frees it on its own
/// thread: the bulk ingest's writer no longer destroys the records and prepared events the reader built.
struct BoundedQueueHandBackTests {
    /// Which thread freed each element, and how many were alive at once.
    final class Ledger: @unchecked Sendable {
        // @unchecked: every member is read and written under `lock`.
        private let lock = NSLock()
        private var producer: pthread_t?
        private var live = 0
        private var mostLive = 0
        private var freedByProducer = 0
        private var freedElsewhere = 0

        func becomeProducer() { lock.withLock { producer = pthread_self() } }

        func made() {
            lock.withLock {
                live += 1
                mostLive = max(mostLive, live)
            }
        }

        func freed() {
            lock.withLock {
                live -= 1
                if let producer, pthread_equal(producer, pthread_self()) != 0 {
                    freedByProducer += 1
                } else {
                    freedElsewhere += 1
                }
            }
        }

        var counts: (live: Int, mostLive: Int, byProducer: Int, elsewhere: Int) {
            lock.withLock { (live, mostLive, freedByProducer, freedElsewhere) }
        }
    }

    /// An element that tells the ledger when it is made and freed.
    final class Tracked: Sendable {
        let ledger: Ledger
        let value: Int

        init(_ value: Int, _ ledger: Ledger) {
            self.value = value
            self.ledger = ledger
            ledger.made()
        }

        deinit { ledger.freed() }
    }

    @Test(arguments: [1, 7, 64])
    func theProducerFreesTheBatchesTheConsumerTookAndNoMoreThanTwoBatchesLive(capacity: Int) throws {
        let ledger = Ledger()
        let count = 5_000
        let done = DispatchSemaphore(value: 0)
        var seen: [Int] = []
        do {
            let queue = BoundedQueue<Tracked>(capacity: capacity)
            Thread {
                ledger.becomeProducer()
                for value in 0..<count { queue.put(Tracked(value, ledger)) }
                queue.finish()
                done.signal()
            }.start()
            var batch: [Tracked] = []
            while try queue.takeAll(into: &batch) {
                for element in batch { seen.append(element.value) }
            }
            #expect(batch.isEmpty)
            done.wait()
        }
        let counts = ledger.counts
        #expect(seen == Array(0..<count))
        // Only the batches handed back after the producer's last put are freed elsewhere: at most two.
        #expect(counts.byProducer >= count - 2 * capacity)
        #expect(counts.byProducer + counts.elsewhere == count)
        #expect(counts.live == 0)
        // The consumer's batch and either the waiting elements or the batch handed back, and one in hand.
        #expect(counts.mostLive <= 2 * capacity + 1)
    }
}
