import EnrollmentDomain
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// The identity tables as dictionaries: a backend without SQL, fed only by the fold's row changes.
final class MemoryIdentityTables: IdentityStateReading {
    var nodes: [String: IdentityNodeRow] = [:]
    var sets: [String: IdentitySetRow] = [:]
    var userIDs: Set<IdentityUserIDRow> = []
    var userless: Set<IdentityUserlessRow> = []
    /// How many node rows were written, over every apply.
    var nodeWrites = 0
    /// How many node reads the fold made.
    var nodeReads = 0

    func node(_ id: String) throws -> IdentityNodeRow? {
        nodeReads += 1
        return nodes[id]
    }
    func set(_ root: String) throws -> IdentitySetRow? { sets[root] }
    func members(ofRoot root: String) throws -> [(id: String, node: IdentityNodeRow)] {
        nodes.filter { $0.value.root == root }.map { (id: $0.key, node: $0.value) }
    }
    func upns(ofAADUser aadUserID: String) throws -> [String] {
        userIDs.filter { $0.aadUserID == aadUserID }.map(\.upn).sorted()
    }
    func userless(ofAADUser aadUserID: String) throws -> [IdentityUserlessRow] {
        userless.filter { $0.aadUserID == aadUserID }
    }

    func apply(_ changes: IdentityChanges) {
        let keys = changes.nodes.sorted.map(\.key)
        #expect(keys == keys.sorted(), "a writer gets the changes in key order")
        for (id, change) in changes.nodes.sorted {
            nodeWrites += 1
            switch change {
            case .upsert(let node): nodes[id] = node
            case .delete: nodes[id] = nil
            }
        }
        for (root, change) in changes.sets.sorted {
            switch change {
            case .upsert(let key): sets[root] = key
            case .delete: sets[root] = nil
            }
        }
        userIDs.formUnion(changes.userIDs)
        userless.formUnion(changes.userless)
    }

    /// The tables as sorted text.
    var dump: String {
        let lines =
            nodes.map { "node \($0.key) \($0.value.root) \($0.value.kinds)" }
            + sets.map { "set \($0.key) \($0.value.rank) \($0.value.occurredAt) \($0.value.eventID)" }
            + userIDs.map { "user \($0.aadUserID) \($0.upn)" }
            + userless.map { "userless \($0.aadUserID) \($0.stream) \($0.second) \($0.joinsFailure)" }
        return lines.sorted().joined(separator: "\n")
    }
}

/// The identity fold on its own, against a backend of dictionaries: what it reads and the row changes it
/// produces are the whole contract a second backend implements.
struct IdentityFoldTests {
    static func recorded(_ events: [NewEvent]) -> [RecordedEvent] {
        var versions: [String: Int64] = [:]
        return events.enumerated().map { index, event in
            versions[event.stream, default: 0] += 1
            return RecordedEvent(
                position: Int64(index + 1), version: versions[event.stream]!,
                recordedAt: Timestamp(milliseconds: 0), hash: [], event: event)
        }
    }

    static func fold(_ events: [RecordedEvent], drainingEvery interval: Int) throws -> MemoryIdentityTables {
        let tables = MemoryIdentityTables()
        let fold = IdentityFold(reader: tables)
        for (index, event) in events.enumerated() {
            try fold.apply(event)
            if (index + 1) % interval == 0 { tables.apply(fold.drain()) }
        }
        tables.apply(fold.drain())
        return tables
    }

    @Test(arguments: [1, 7, 150] as [Int])
    func drainingAfterAnyNumberOfEventsGivesTheTablesOfOneBatch(interval: Int) throws {
        let events = Self.recorded(try SampleSources.all() + SyntheticFleet.events(seed: 5))
        let oneBatch = try Self.fold(events, drainingEvery: events.count + 1)
        let drained = try Self.fold(events, drainingEvery: interval)
        #expect(!oneBatch.nodes.isEmpty)
        #expect(drained.dump == oneBatch.dump)
    }

    @Test func aNodeChangedManyTimesInABatchIsWrittenOnce() throws {
        let events = Self.recorded(try SampleSources.all() + SyntheticFleet.events(seed: 6))
        let oneBatch = try Self.fold(events, drainingEvery: events.count + 1)
        // One write per node at most: the fold relabels and widens kinds in memory.
        #expect(oneBatch.nodeWrites == oneBatch.nodes.count)
        let perEvent = try Self.fold(events, drainingEvery: 1)
        #expect(perEvent.nodeWrites > oneBatch.nodeWrites)
    }

    @Test func restatingKnownLinksChangesNoRow() throws {
        let events = Self.recorded(try SampleSources.all())
        let tables = try Self.fold(events, drainingEvery: events.count + 1)
        let fold = IdentityFold(reader: tables)
        for event in events { try fold.apply(event) }
        let again = fold.drain()
        #expect(again.nodes.isEmpty)
        #expect(again.sets.isEmpty)
        #expect(again.userIDs.isEmpty)
        #expect(again.userless.isEmpty)
    }

    @Test func aFoldOverEmptyTablesReadsNothingAndGivesTheSameRows() throws {
        let events = Self.recorded(try SampleSources.all() + SyntheticFleet.events(seed: 8))
        let reading = try Self.fold(events, drainingEvery: events.count + 1)
        #expect(reading.nodeReads > 0)
        let tables = MemoryIdentityTables()
        let fold = IdentityFold(reader: tables, tablesAreEmpty: true)
        for (index, event) in events.enumerated() {
            try fold.apply(event)
            if index % 50 == 0 { tables.apply(fold.drain()) }
        }
        tables.apply(fold.drain())
        #expect(tables.nodeReads == 0)
        #expect(tables.dump == reading.dump)
    }

    @Test(arguments: [1, 20, 300] as [Int])
    func aFoldThatForgetsAtItsBoundGivesTheSameRowsAndReadsOnlyWhatItMayHaveWritten(cacheLimit: Int) throws {
        let events = Self.recorded(try SampleSources.all() + SyntheticFleet.events(seed: 9))
        let reference = try Self.fold(events, drainingEvery: events.count + 1)
        var reads: [Bool: Int] = [:]
        for tablesAreEmpty in [false, true] {
            let tables = MemoryIdentityTables()
            let fold = IdentityFold(reader: tables, tablesAreEmpty: tablesAreEmpty, cacheLimit: cacheLimit)
            for (index, event) in events.enumerated() {
                try fold.apply(event)
                if fold.needsFlush || index % 7 == 0 { tables.apply(fold.drain()) }
            }
            tables.apply(fold.drain())
            #expect(tables.dump == reference.dump)
            reads[tablesAreEmpty] = tables.nodeReads
        }
        // Every new id costs a read unless the fold knows the tables began empty: then only the ids it may
        // have written and forgotten are read.
        let unknowing = try #require(reads[false])
        #expect(unknowing >= reference.nodes.count)
        #expect(try #require(reads[true]) < unknowing - reference.nodes.count / 2)
    }

    @Test func aDiscardedFoldForgetsWhatItHadNotDrained() throws {
        let events = Self.recorded(try SampleSources.all())
        let tables = MemoryIdentityTables()
        let fold = IdentityFold(reader: tables)
        for event in events { try fold.apply(event) }
        fold.discard()
        #expect(fold.drain().isEmpty)
    }
}
