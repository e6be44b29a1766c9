import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// Faults: a writer's connection cut mid-transaction, the server stopped and restarted under load, writers'
/// connections cut again and again under load. Every acknowledged event survives where it was
/// acknowledged, no batch is partial, positions stay gapless, `verify` passes.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)), .serialized)
struct PostgresFaultTests {
    /// Four writers append while the server is stopped with `pg_ctl stop -m immediate` (every backend
    /// killed, no checkpoint) and started again: the writers' transactions in flight fail with their
    /// connections, are tried again on new ones once the server is back, and the log comes out whole.
    @Test(.timeLimit(.minutes(8)))
    func anImmediateShutdownMidLoadLosesNoAcknowledgedEventAndLeavesNoPartialBatch() async throws {
        // A cluster of its own: the shared one must not stop under other tests.
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let database = try cluster.makeDatabase()
        let configuration = PostgresStoreConfiguration(
            connections: 2,
            reconnect: RetryPolicy(attempts: 12, baseDelay: .milliseconds(100), maximumDelay: .seconds(2)))
        let stores = try await PostgresFixture.writers(4, database, configuration: configuration)
        let tried = Counter()
        let crash = Task {
            // Once the load runs, kill the server, leave it down a moment, start it again.
            // (Bounded: under the whole suite's load the writers start slowly.)
            let waitUntil = ContinuousClock.now + .seconds(240)
            while tried.value < 12, ContinuousClock.now < waitUntil { try await Task.sleep(for: .milliseconds(10)) }
            try cluster.stopImmediately()
            try await Task.sleep(for: .milliseconds(500))
            try cluster.start()
            return tried.value
        }
        let (batches, errors, hung) = await PostgresFixture.load(
            stores, batches: 30, size: 5, until: .now + .seconds(240)
        ) { tried.increment() }
        let triedBeforeRestart = try await crash.value
        try #require(hung == 0)
        #expect(triedBeforeRestart >= 12)
        #expect(errors.isEmpty, "the writers reconnected within their retries: \(errors.prefix(3))")
        var reconnected = 0
        for store in stores { reconnected += await store.reconnectedTransactions }
        #expect(reconnected >= 1, "some transaction was in flight when the server died")
        #expect(batches.filter { $0.positions != nil }.count == batches.count - errors.count)
        try await PostgresFixture.expectNothingLost(batches, in: stores[0])
        for store in stores { await store.close() }
    }

    /// Under load from four writers, a task terminates writers' backends again and again: every batch is
    /// stored whole or not at all, every acknowledged one where it was acknowledged.
    @Test(.timeLimit(.minutes(8)))
    func connectionsCutAgainAndAgainUnderLoadLoseNothingAcknowledged() async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let configuration = PostgresStoreConfiguration(
            connections: 2, reconnect: RetryPolicy(attempts: 10, baseDelay: .milliseconds(20)))
        let stores = try await PostgresFixture.writers(4, database, configuration: configuration)
        let done = Counter()
        let killer = Task {
            var killed = 0
            while done.value == 0, killed < 400 {
                let output = try database.cluster.psql(
                    """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE usename = '\(database.writer)' AND state <> 'idle'
                    """)
                killed += Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                try await Task.sleep(for: .milliseconds(30))
            }
            return killed
        }
        let (batches, errors, hung) = await PostgresFixture.load(
            stores, batches: 40, size: 5, until: .now + .seconds(60))
        done.increment()
        let killed = try await killer.value
        try #require(hung == 0)
        #expect(killed >= 1, "some backend was terminated mid-work")
        try await PostgresFixture.expectNothingLost(batches, in: stores[0])
        let acknowledged = batches.filter { $0.positions != nil }.count
        #expect(acknowledged + errors.count == batches.count)
        #expect(acknowledged >= batches.count / 2, "most batches got through: \(errors.prefix(2))")
        for store in stores { await store.close() }
    }

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
        // What the client saw first: the server's FATAL 57P01, or (under load) the socket closing before it.
        let cause = ["(57P01", "(the connection closed during the transaction)"]
        #expect(cause.contains { failure.description.contains("PostgreSQL could not be reached \($0)") }, "\(failure)")
        #expect(failure.description.contains("in 1 attempts"))
        await store.close()
        // Read back on a store that may retry (this one could be leased the dead connection first).
        let reader = try await PostgresEventStore.open(try PostgresLocation(database.address(user: database.writer)))
        #expect(try await reader.head().position == 1)
        #expect(try await reader.verify().ok)
        await reader.close()
    }

    /// The server stopped and not started again: the pool cannot open a connection, and after a while
    /// (postgres-nio's circuit breaker: 60 s of failed attempts in 1.33) it fails the lease, then every
    /// lease at once. That is a lost connection, tried again like one; with no retry left the append fails
    /// with an `unavailable` error that says so, and nothing of the batch is stored.
    @Test(.timeLimit(.minutes(6)))
    func aServerThatStaysDownTripsThePoolsCircuitBreakerAndTheAppendFailsClearlyAfterItsRetries() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let database = try cluster.makeDatabase()
        let store = try await PostgresFixture.writer(
            database,
            configuration: PostgresStoreConfiguration(
                connections: 1,
                reconnect: RetryPolicy(attempts: 3, baseDelay: .milliseconds(100), maximumDelay: .milliseconds(500))))
        try await store.append([ContractEvents.event("UE-down", 0)])
        try cluster.stopImmediately()
        let outcome = await HangGuard.run(within: .seconds(240)) {
            try await store.append([ContractEvents.event("UE-down", 1)])
        }
        await store.close()
        guard case .failure(let error)? = outcome else {
            Issue.record("the append \(outcome == nil ? "hung" : "succeeded") with the server down")
            return
        }
        let failure = try #require(error as? EventStoreError)
        #expect(failure.code == .unavailable)
        #expect(
            failure.description.contains("PostgreSQL could not be reached (no connection could be opened"), "\(failure)"
        )
        #expect(failure.description.contains("circuit breaker tripped) in 3 attempts"), "\(failure)")
        #expect(await store.reconnectedTransactions == 2)
        try cluster.start()
        let reader = try await PostgresEventStore.open(try PostgresLocation(database.address(user: database.writer)))
        #expect(try await reader.head().position == 1)
        await reader.close()
    }

    /// A writer's idle connections cut (`pg_terminate_backend`) just before its next append, twenty times:
    /// the pool may hand the dead connection out once more (its close not yet noticed), which costs that
    /// append one reconnection at most; every append is stored.
    @Test(.timeLimit(.minutes(5)))
    func aConnectionCutWhileIdleCostsTheNextAppendOneReconnectionAtMost() async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let store = try await PostgresFixture.writer(
            database,
            configuration: PostgresStoreConfiguration(
                connections: 1, reconnect: RetryPolicy(attempts: 2, baseDelay: .milliseconds(10))))
        try await store.append([ContractEvents.event("UE-i", 0)])
        for number in 1...20 {
            try database.cluster.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(database.writer)'")
            let outcome = await HangGuard.run(within: .seconds(90)) {
                try await store.append([ContractEvents.event("UE-i", number)])
            }
            let result = try #require(outcome, "append \(number) hung").get()
            #expect(result.outcomes == [.appended(position: Int64(number) + 1)])
        }
        #expect(await store.reconnectedTransactions <= 20)
        #expect(try await store.head().position == 21)
        #expect(try await store.verify().ok)
        await store.close()
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
