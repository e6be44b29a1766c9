import EnrollmentDomain
import EventStore
import Foundation
import Logging
import PostgresNIO
import PostgresStore
import TestSupport
import Testing

/// What the PostgreSQL operations tests share: writer stores, concurrent writers that remember what was
/// acknowledged, and the checks that nothing acknowledged was lost.
enum PostgresFixture {
    /// The cluster the test may use, or a recorded failure (when PostgreSQL is required) and `nil`.
    static var cluster: PostgresCluster? {
        if let shared = PostgresCluster.shared { return shared }
        Issue.record("PostgreSQL is required here: \(PostgresCluster.unavailableReason ?? "")")
        return nil
    }

    /// The database migrated by its owner, who grants the writer; then a store as the writer.
    static func writer(
        _ database: PostgresCluster.Database, configuration: PostgresStoreConfiguration? = nil
    ) async throws -> PostgresEventStore {
        let owner = try await PostgresEventStore.open(try PostgresLocation(database.address()))
        try await owner.grantWriter(role: database.writer)
        await owner.close()
        return try await PostgresEventStore.open(
            try PostgresLocation(database.address(user: database.writer)), configuration: configuration)
    }

    /// `count` writer stores of their own (pools of their own) on the database, which the first migrates.
    static func writers(
        _ count: Int, _ database: PostgresCluster.Database, configuration: PostgresStoreConfiguration? = nil
    ) async throws -> [PostgresEventStore] {
        var stores = [try await writer(database, configuration: configuration)]
        for _ in 1..<count {
            stores.append(
                try await PostgresEventStore.open(
                    try PostgresLocation(database.address(user: database.writer)), configuration: configuration))
        }
        return stores
    }

    /// The outcome of one batch a writer tried: its event ids, and the positions when it was acknowledged.
    struct Batch: Sendable {
        var ids: [UUID]
        var positions: [Int64]?
    }

    /// `writers` tasks, each appending batches of `size` events to a stream of its own until `batches`
    /// batches were tried or `until` passed; a failed batch (out of retries) is kept as not acknowledged.
    /// A hang guard: an append that has not returned after `hang` is recorded as hung (an issue) and its
    /// writer stops, so that a hang fails the test instead of blocking the suite.
    static func load(
        _ stores: [PostgresEventStore], batches: Int, size: Int, until deadline: ContinuousClock.Instant,
        hang: Duration = .seconds(90), progress: (@Sendable () -> Void)? = nil
    ) async -> (batches: [Batch], errors: [String], hung: Int) {
        await withTaskGroup(of: ([Batch], [String], Int).self) { group in
            for (writer, store) in stores.enumerated() {
                group.addTask {
                    var tried: [Batch] = []
                    var errors: [String] = []
                    for number in 0..<batches where ContinuousClock.now < deadline {
                        let events = (0..<size).map {
                            ContractEvents.event("UE-w\(writer)", number * size + $0)
                        }
                        var batch = Batch(ids: events.map(\.eventID))
                        let outcome = await HangGuard.run(within: hang) { try await store.append(events) }
                        switch outcome {
                        case nil:
                            Issue.record("writer \(writer): an append hung for \(hang) (batch \(number))")
                            return (tried, errors, 1)
                        case .success(let result): batch.positions = result.outcomes.map(\.position)
                        case .failure(let error): errors.append("\(error)")
                        }
                        tried.append(batch)
                        progress?()
                    }
                    return (tried, errors, 0)
                }
            }
            var all: ([Batch], [String], Int) = ([], [], 0)
            for await (batches, errors, hung) in group {
                all.0 += batches
                all.1 += errors
                all.2 += hung
            }
            return all
        }
    }

    /// Every acknowledged event is stored at the position it was acknowledged at; every batch is stored
    /// whole or not at all; positions run 1…n with no gap and no event twice; `verify` passes.
    static func expectNothingLost(_ batches: [Batch], in log: any EventLog) async throws {
        let head = try await log.head().position
        var stored: [UUID: Int64] = [:]
        var positions: [Int64] = []
        var next: Int64 = 0
        while next < head {
            let page = try await log.events(after: next, limit: 4096)
            guard let last = page.last else { break }
            for event in page {
                #expect(stored.updateValue(event.position, forKey: event.event.eventID) == nil)
                positions.append(event.position)
            }
            next = last.position
        }
        #expect(positions == (head > 0 ? Array(1...head) : []), "positions run 1…head without a gap")
        for batch in batches {
            let found = batch.ids.compactMap { stored[$0] }
            if let acknowledged = batch.positions {
                #expect(found == acknowledged, "an acknowledged batch is stored where it was acknowledged")
            } else {
                #expect(found.isEmpty || found.count == batch.ids.count, "a batch is stored whole or not at all")
            }
            if found.count == batch.ids.count, let first = found.first {
                #expect(found == Array(first..<first + Int64(found.count)), "a batch's positions are consecutive")
            }
        }
        let report = try await log.verify()
        #expect(report.ok, "\(report.problem ?? "")")
        #expect(report.events == head)
    }
}

extension AppendOutcome {
    /// The position the event is stored at, appended now or before.
    var position: Int64 {
        switch self {
        case .appended(let position), .duplicate(let position): position
        }
    }
}

/// Bytes a child process writes, collected from its pipe's handler thread.
final class CollectedOutput: @unchecked Sendable {
    // @unchecked: `data` is only touched under `lock`.
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Waits (polling, bounded) until `condition` holds of the text; whether it did.
    func wait(seconds: Double, until condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(text) { return true }
            usleep(20_000)
        }
        return condition(text)
    }
}

/// A SHARE lock on `events` held by a superuser's session: an append that reaches its INSERT waits for it
/// inside its transaction, holding the position lock and a connection.
struct TableLock {
    let connection: PostgresConnection
    let logger = Logger(label: "test.table-lock")

    static func take(_ database: PostgresCluster.Database) async throws -> TableLock {
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                unixSocketPath: "\(database.cluster.socketDirectory)/.s.PGSQL.\(database.cluster.port)",
                username: database.cluster.superuser, password: nil, database: database.name), id: 901,
            logger: Logger(label: "test.table-lock"))
        let lock = TableLock(connection: connection)
        try await connection.query("BEGIN", logger: lock.logger)
        try await connection.query("LOCK TABLE events IN SHARE MODE", logger: lock.logger)
        return lock
    }

    /// The backend of the first session waiting for the lock (bounded: 120 s, a hang guard on a loaded machine), or `nil`.
    func firstWaiter() async throws -> Int32? {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            for try await pid in try await connection.query(
                """
                SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE d.datname = current_database() AND NOT l.granted AND l.relation = 'events'::regclass
                """, logger: logger
            ).decode(Int32.self) {
                return pid
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func terminate(_ pid: Int32) async throws {
        try await connection.query("SELECT pg_terminate_backend(\(pid))", logger: logger)
    }

    func release() async throws {
        try await connection.query("ROLLBACK", logger: logger)
        try await connection.close()
    }
}
