import EnrollmentDomain
import EventStore
import Foundation
import Logging
import PostgresNIO
import PostgresStore
import TestSupport
import Testing

/// Transactions the server aborts as deadlocks (40P01) or serialization failures (40001) run again.
struct PostgresRetryTests {
    @Test func theBackoffDoublesIsCappedAndJittered() {
        let policy = RetryPolicy(attempts: 6, baseDelay: .milliseconds(20), maximumDelay: .seconds(1))
        #expect(policy.delay(beforeAttempt: 1, random: 1) == .milliseconds(20))
        #expect(policy.delay(beforeAttempt: 2, random: 1) == .milliseconds(40))
        #expect(policy.delay(beforeAttempt: 4, random: 1) == .milliseconds(160))
        #expect(policy.delay(beforeAttempt: 30, random: 1) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 3, random: 0.5) == .milliseconds(40))
        #expect(RetryPolicy(attempts: 0).attempts == 1)
    }

    /// An appender that waits for a table lock another session holds while that session waits for the
    /// position lock: PostgreSQL aborts the appender as the deadlock's victim (its deadlock check runs after
    /// the cluster's 10 s, time enough on a loaded machine for the other session, a superuser's that checks
    /// only after 60 s, to start waiting); the store rolls back, waits, and appends again, once.
    @Test(.enabled(if: LogBackend.available.contains(.postgres)), .timeLimit(.minutes(8)))
    func aDeadlockedAppendIsRetriedAndStoredOnce() async throws {
        let store = try await LogBackend.postgres.makeLog()
        defer { Task { await store.close() } }
        let appender = try #require(store.log as? PostgresEventStore)
        try await appender.append([ContractEvents.event("UE-a", 0)])
        let database = try #require(store.database)
        let logger = Logger(label: "test.deadlock")
        let other = try await PostgresConnection.connect(
            configuration: .init(
                unixSocketPath: "\(database.cluster.socketDirectory)/.s.PGSQL.\(database.cluster.port)",
                username: database.cluster.superuser, password: nil, database: database.name), id: 900,
            logger: logger)
        try await other.query("SET deadlock_timeout = '60s'", logger: logger)
        try await other.query("BEGIN", logger: logger)
        try await other.query("LOCK TABLE events IN SHARE MODE", logger: logger)
        let append = Task { try await appender.append([ContractEvents.event("UE-a", 1)]) }
        // Wait until the appender (holding the position lock) waits for the table lock.
        // A hang guard, not a timing: on a loaded machine the appender takes a while to get there.
        let deadline = ContinuousClock.now + .seconds(120)
        var waiting = false
        while !waiting, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            let rows = try await other.query(
                """
                SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE d.datname = current_database() AND NOT l.granted AND l.relation = 'events'::regclass
                """, logger: logger
            ).collect()
            waiting = try rows.first?.decode(Int64.self) ?? 0 > 0
        }
        #expect(waiting)
        try await other.query("SELECT pg_advisory_xact_lock(\(PostgresEventStore.positionLockKey))", logger: logger)
        try await other.query("ROLLBACK", logger: logger)
        try await other.close()
        let result = try await append.value
        #expect(result.outcomes == [.appended(position: 2)])
        #expect(await appender.retriedTransactions == 1)
        #expect(try await appender.verify().ok)
    }
}
