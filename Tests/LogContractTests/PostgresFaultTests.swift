import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// A writer's connection cut mid-transaction: the transaction is tried again on a new connection, or, out
/// of retries, fails clearly; nothing of a batch is stored twice or in part.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresFaultTests {
    /// A writer's backend terminated (`pg_terminate_backend`) while its append waits inside the
    /// transaction: the transaction is lost with the connection, tried again on a new one, stored once.
    @Test(.timeLimit(.minutes(8)))
    func aConnectionCutMidTransactionIsRetriedOnANewConnectionAndStoredOnce() async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let store = try await PostgresFixture.writer(database)
        try await store.append([ContractEvents.event("UE-a", 0)])
        let result = try await Self.withBlockedAppend(
            database, store: store,
            events: [
                ContractEvents.event("UE-a", 1), ContractEvents.event("UE-a", 2),
            ])
        #expect(try result.get().outcomes == [.appended(position: 2), .appended(position: 3)])
        #expect(await store.reconnectedTransactions == 1)
        #expect(try await store.verify().ok)
        await store.close()
    }

    /// With no reconnection left the append fails with a clear error that says what happened, and
    /// nothing of the batch is stored.
    @Test(.timeLimit(.minutes(8)))
    func aWriterOutOfRetriesFailsClearlyAndStoresNothingOfTheBatch() async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let store = try await PostgresFixture.writer(
            database, configuration: PostgresStoreConfiguration(reconnect: RetryPolicy(attempts: 1)))
        try await store.append([ContractEvents.event("UE-a", 0)])
        let result = try await Self.withBlockedAppend(
            database, store: store,
            events: [
                ContractEvents.event("UE-a", 1), ContractEvents.event("UE-a", 2),
            ])
        guard case .failure(let error) = result else {
            Issue.record("the append succeeded without a retry")
            return
        }
        let failure = try #require(error as? EventStoreError)
        #expect(failure.code == .unavailable)
        #expect(failure.description.contains("PostgreSQL could not be reached (57P01"), "\(failure)")
        #expect(failure.description.contains("in 1 attempts"))
        await store.close()
        // Read back on a store that may retry (this one could be leased the dead connection first).
        let reader = try await PostgresEventStore.open(try PostgresLocation(database.address(user: database.writer)))
        #expect(try await reader.head().position == 1)
        #expect(try await reader.verify().ok)
        await reader.close()
    }

    /// Runs an append that blocks inside its transaction (after the position lock, waiting for a table lock
    /// another session holds), terminates the append's backend, then lets go; the append's outcome.
    static func withBlockedAppend(
        _ database: PostgresCluster.Database, store: PostgresEventStore, events: [NewEvent]
    ) async throws -> Result<AppendResult, any Error> {
        let lock = try await TableLock.take(database)
        let append = Task { () -> Result<AppendResult, any Error> in
            do { return .success(try await store.append(events)) } catch { return .failure(error) }
        }
        let waiter = try await lock.firstWaiter()
        #expect(waiter != nil, "the append was waiting inside its transaction")
        if let waiter { try await lock.terminate(waiter) }
        try await lock.release()
        return await append.value
    }
}

/// A counter shared between tasks.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
