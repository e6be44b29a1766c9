import EnrollmentDomain
import EventStore
import Foundation
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

    func appendInBatches(_ events: [NewEvent], to store: SQLiteEventStore, using random: inout SeededGenerator)
        throws
    {
        var index = 0
        while index < events.count {
            let size = [1, 3, 17, 150, 1000].randomElement(using: &random)!
            try store.append(Array(events[index..<min(index + size, events.count)]))
            index += size
        }
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func shuffledBatchedAndRebuiltStoresHoldTheSameProjections(seed: UInt64) throws {
        let events = try SampleSources.all() + SyntheticFleet.events(seed: seed)
        var random = SeededGenerator(seed: seed)

        let reference = try ProjectedStore()
        try reference.store.append(events)
        let expected = try reference.dump()
        let expectedTimelines = try timelines(reference)

        let shuffled = try ProjectedStore(flushInterval: 7)
        try appendInBatches(events.shuffled(using: &random), to: shuffled.store, using: &random)
        #expect(try shuffled.dump() == expected)
        #expect(try timelines(shuffled) == expectedTimelines)

        try shuffled.store.rebuildProjections()
        #expect(try shuffled.dump() == expected)
        try shuffled.store.rebuildProjections(named: ["device_status"])
        #expect(try shuffled.dump() == expected)
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
