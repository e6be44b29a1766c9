import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// One store value holds a pool of connections (`pool_size`): a call does not wait behind another's
/// transaction, unless the pool is full.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresPoolTests {
    /// An append waits inside its transaction for a table lock; with a pool of 4, reads of the same store
    /// value run on other connections meanwhile (all four of them finish before the lock is let go); with a
    /// pool of 1, a read can only run after the append's transaction ends.
    @Test(.timeLimit(.minutes(8)), arguments: [4, 1])
    func callsOnOneStoreRunOnConnectionsOfThePoolNotBehindOneTransaction(_ size: Int) async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let address = try PostgresLocation(database.address(user: database.writer) + "&pool_size=\(size)")
        #expect(address.poolSize == size)
        try await PostgresFixture.writer(database).close()
        let store = try await PostgresEventStore.open(address)
        #expect(store.configuration.connections == size)
        try await store.append([ContractEvents.event("UE-a", 0)])
        let lock = try await TableLock.take(database)
        let order = Order()
        let append = Task {
            try await store.append([ContractEvents.event("UE-a", 1)])
            order.note("append")
        }
        #expect(try await lock.firstWaiter() != nil)
        let reads = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let position = try await store.head().position
                        order.note(position >= 1 ? "read" : "empty read")
                    }
                }
                try await group.waitForAll()
            }
        }
        if size > 1 {
            // Bounded: the reads have connections of their own, so they finish while the lock is held.
            let deadline = ContinuousClock.now + .seconds(30)
            while order.entries.count < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        } else {
            try await Task.sleep(for: .milliseconds(300))
        }
        order.note("release")
        try await lock.release()
        try await append.value
        try await reads.value
        if size > 1 {
            #expect(order.entries == ["read", "read", "read", "release", "append"])
        } else {
            // The one connection is the append's until its transaction ends.
            #expect(order.entries.first == "release")
            #expect(order.entries.sorted() == ["append", "read", "read", "read", "release"])
        }
        #expect(try await store.head().position == 2)
        await store.close()
    }

    @Test func aPoolSizeOutOfRangeIsAMalformedAddress() {
        for size in ["0", "1001", "x"] {
            #expect(throws: PostgresLocation.Malformed.self) {
                try PostgresLocation("postgres://audit@db.example.com/audit?pool_size=\(size)")
            }
        }
    }
}

/// The order in which things happened, noted from several tasks.
final class Order: @unchecked Sendable {
    // @unchecked: `list` is only touched under `lock`.
    private let lock = NSLock()
    private var list: [String] = []

    func note(_ entry: String) { lock.withLock { list.append(entry) } }
    var entries: [String] { lock.withLock { list } }
}
