import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// The append contract, one code path over both backends.
struct AppendContractTests {
    @Test(arguments: LogBackend.available)
    func aBatchGetsGaplessPositionsAndStreamVersionsAndReadsBackInOrder(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let log = store.log
        let first = try await log.append([
            ContractEvents.event("UE-a", 0), ContractEvents.event("UE-b", 1), ContractEvents.event("UE-a", 2),
        ])
        #expect(first.outcomes == [.appended(position: 1), .appended(position: 2), .appended(position: 3)])
        let second = try await log.append([ContractEvents.event("UE-b", 3, user: nil)])
        #expect(second.outcomes == [.appended(position: 4)])
        let all = try await log.events(after: 0, limit: 100)
        #expect(all.map(\.position) == [1, 2, 3, 4])
        #expect(all.map(\.version) == [1, 1, 2, 2])
        #expect(all[3].event.user == nil)
        #expect(try await log.events(after: 2, limit: 1).map(\.position) == [3])
        #expect(try await log.events(inStream: "UE-a").map(\.version) == [1, 2])
        let head = try await log.head()
        #expect(head.position == 4)
        #expect(head.hash == all[3].hash)
        #expect(try await log.verify(expectedDigest: head.digest, expectedPosition: nil).ok)
    }

    @Test(arguments: LogBackend.available)
    func theNativeSampleStores702EventsCounts16DuplicatesAndReadsBackIdentically(_ backend: LogBackend)
        async throws
    {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let events = try ContractEvents.sample()
        let first = try await store.log.append(events)
        #expect(first.appended == 702)
        #expect(first.duplicates == 16)
        let again = try await store.log.append(events)
        #expect(again.appended == 0)
        #expect(again.duplicates == 718)
        let stored = try await store.log.events(after: 0, limit: 1000)
        var seen: Set<UUID> = []
        let distinct = events.filter { seen.insert($0.eventID).inserted }
        #expect(stored.map(\.event) == distinct)
        #expect(try await store.log.verify(expectedDigest: nil, expectedPosition: nil).ok)
    }

    @Test(arguments: LogBackend.available)
    func theSameIdWithOtherContentIsAConflictAndNothingOfTheBatchIsStored(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let id = UUID()
        try await store.log.append([ContractEvents.event("UE-a", 0, id: id)])
        let error = try await #require(throws: EventStoreError.self) {
            try await store.log.append([ContractEvents.event("UE-c", 5), ContractEvents.event("UE-a", 1, id: id)])
        }
        #expect(error.code == .eventIDConflict)
        #expect(error.position == 1)
        #expect(try await store.log.head().position == 1)
        #expect(try await store.log.events(inStream: "UE-c").isEmpty)
    }

    @Test(arguments: LogBackend.available)
    func anExpectedVersionIsCheckedAndAConflictStoresNothing(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        try await store.log.append([ContractEvents.event("UE-a", 0)], expectedVersions: ["UE-a": 0])
        try await store.log.append([ContractEvents.event("UE-a", 1)], expectedVersions: ["UE-a": 1])
        let error = try await #require(throws: EventStoreError.self) {
            try await store.log.append(
                [ContractEvents.event("UE-b", 2), ContractEvents.event("UE-a", 3)], expectedVersions: ["UE-a": 1])
        }
        #expect(error.code == .versionConflict)
        #expect(error.expectedVersion == 1)
        #expect(error.actualVersion == 2)
        let fresh = try await #require(throws: EventStoreError.self) {
            try await store.log.append([ContractEvents.event("UE-z", 4)], expectedVersions: ["UE-z": 3])
        }
        #expect(fresh.actualVersion == 0)
        #expect(try await store.log.head().position == 2)
    }

    @Test(arguments: LogBackend.available)
    func aBatchWithOneInvalidEventStoresNothingAndNamesTheField(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        var bad = ContractEvents.event("UE-a", 1)
        bad.data = ["name": .string("no bundle id")]
        let error = try await #require(throws: EventStoreError.self) {
            try await store.log.append([ContractEvents.event("UE-a", 0), bad])
        }
        #expect(error.code == .invalidEvent)
        #expect(error.description.contains("bundle_id"))
        #expect(try await store.log.head().position == 0)
    }

    /// Four writers (their own connections or store values) append batches at once while a reader follows
    /// the log: every event is stored once, positions are 1…N without a gap, each batch's positions are
    /// consecutive, and the reader, asking for events after the last one it saw, never finds a gap (a later
    /// position visible before an earlier one).
    @Test(arguments: LogBackend.available)
    func concurrentWritersGetGaplessPositionsInCommitOrder(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let writers = 4
        let batches = 12
        let batchSize = 25
        var logs: [any EventLog] = []
        for _ in 0..<writers { logs.append(try await store.another()) }
        // A bound for a stuck reader, not a time limit for the writers: a loaded machine may take minutes.
        let deadline = ContinuousClock.now + .seconds(600)
        let reader = Task { () -> (gaps: Int, seen: Int64) in
            var last: Int64 = 0
            var gaps = 0
            while last < Int64(writers * batches * batchSize), ContinuousClock.now < deadline {
                let page = try await store.log.events(after: last, limit: 500)
                for event in page {
                    if event.position != last + 1 { gaps += 1 }
                    last = event.position
                }
                if page.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            }
            return (gaps, last)
        }
        let results = try await withThrowingTaskGroup(of: [[Int64]].self) { group in
            for (writer, log) in logs.enumerated() {
                group.addTask {
                    var positions: [[Int64]] = []
                    for batch in 0..<batches {
                        let events = (0..<batchSize).map {
                            ContractEvents.event("UE-w\(writer)-\($0 % 5)", batch * batchSize + $0)
                        }
                        let result = try await log.append(events)
                        positions.append(
                            result.outcomes.compactMap { if case .appended(let p) = $0 { p } else { nil } })
                    }
                    return positions
                }
            }
            var all: [[Int64]] = []
            for try await positions in group { all += positions }
            return all
        }
        let total = writers * batches * batchSize
        #expect(results.flatMap { $0 }.sorted() == (1...Int64(total)).map { $0 })
        for batch in results {
            #expect(batch == Array(batch[0]..<batch[0] + Int64(batchSize)))
        }
        let (gaps, seen) = try await reader.value
        #expect(gaps == 0)
        #expect(seen == Int64(total))
        let report = try await store.log.verify(expectedDigest: nil, expectedPosition: nil)
        #expect(report.ok, "\(report.problem ?? "")")
        #expect(report.events == Int64(total))
        for log in logs {
            if let other = log as? PostgresEventStore { await other.close() }
        }
    }
}
