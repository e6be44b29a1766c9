import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import Projections
import TestSupport
import Testing

/// A projection is a pure function of the set of events: order, batches and rebuilds never matter.
struct OrderIndependenceTests {
    /// The timelines of every enrollment, without what depends on arrival (positions, recorded_at, hints).
    func timelines(_ projected: ProjectedStore) throws -> String {
        let queries = projected.queries
        var lines: [String] = []
        for status in try queries.devices(DeviceFilter(asOf: SampleStore.asOf)) {
            // Equal occurred_at times are shown in position order: compare entries and gaps as multisets.
            let entries = try queries.timeline(for: status.enrollment, asOf: SampleStore.asOf)
            lines += entries.map { "\($0.enrollment) \($0.eventID) \($0.label) \($0.outcome)" }.sorted()
            lines.append(entries.map { String($0.gapSeconds ?? -1) }.sorted().joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// Appends `events` in batches of random sizes.
    func appendInBatches(
        _ events: [NewEvent], using random: inout SeededGenerator, _ append: ([NewEvent]) async throws -> Void
    ) async throws {
        var index = 0
        while index < events.count {
            let size = [1, 3, 17, 150, 1000].randomElement(using: &random)!
            try await append(Array(events[index..<min(index + size, events.count)]))
            index += size
        }
    }

    /// The backends and seeds: every seed on SQLite, a few on PostgreSQL (a database each) when the machine
    /// has it (`PostgresCluster`; required in CI).
    static let cases: [(ProjectionBackend, UInt64)] =
        (1...20).map { (.sqlite, $0) }
        + (ProjectionBackend.available.contains(.postgres) ? (1...4).map { (.postgres, $0) } : [])

    @Test(arguments: cases)
    func shuffledBatchedAndRebuiltStoresHoldTheSameProjections(backend: ProjectionBackend, seed: UInt64) async throws {
        let events = try SampleSources.all() + SyntheticFleet.events(seed: seed)
        var random = SeededGenerator(seed: seed)

        let reference = try ProjectedStore()
        try reference.store.append(events)
        let expected = try reference.dump()
        switch backend {
        case .sqlite:
            let expectedTimelines = try timelines(reference)
            let shuffled = try ProjectedStore(flushInterval: 7)
            try await appendInBatches(events.shuffled(using: &random), using: &random) { try shuffled.store.append($0) }
            #expect(try shuffled.dump() == expected)
            #expect(try timelines(shuffled) == expectedTimelines)

            try shuffled.store.rebuildProjections()
            #expect(try shuffled.dump() == expected)
            try shuffled.store.rebuildProjections(named: ["device_status"])
            #expect(try shuffled.dump() == expected)
        case .postgres:
            let database = try #require(PostgresCluster.shared).makeDatabase()
            let store = try await PostgresEventStore.open(try PostgresLocation(database.address()))
            try await appendInBatches(events.shuffled(using: &random), using: &random) {
                try await store.append($0, expectedVersions: [:])
            }
            #expect(try ProjectionDump.postgres(database).joined(separator: "\n") == expected)
            try await store.rebuildReadModels()
            #expect(try ProjectionDump.postgres(database).joined(separator: "\n") == expected)
            await store.close()
        }
    }

    @Test func theSyntheticFleetJoinsLateLinksAndGraphFailures() throws {
        let projected = try ProjectedStore()
        try projected.store.append(SyntheticFleet.events(seed: 99))
        let queries = projected.queries
        for k in 0..<12 {
            let found = try queries.enrollments(matching: "SYN-99-\(k)")
            try #require(found.count == 1)
            let status = found[0]
            #expect(status.ids.contains(EnrollmentIdentifier(kind: .stream, value: "SYN-99-\(k)")))
            if k % 4 == 3 {
                #expect(status.ids.contains(EnrollmentIdentifier(kind: .stream, value: "corr-99-\(k)")))
                #expect(status.failure?.reason == "DeviceCapReached")
            } else {
                #expect(status.ids.contains(EnrollmentIdentifier(kind: .enrollmentID, value: "E99x\(k)")))
                #expect(try queries.enrollments(matching: "E99x\(k)").map(\.enrollment) == [status.enrollment])
            }
        }
        // Five users, twelve enrollments: users are attributes, never links.
        #expect(try queries.devices().count == 12)
        #expect(try queries.enrollments(matching: "USER1@synthetic.test").count == 3)
    }
}
