import EnrollmentDomain
import Foundation
import TestSupport
import Testing

@testable import EventStore

/// The hashes the writer finishes from a ``PreparedEvent`` against the reference writers of the chain
/// (``EventHashing``) and of the Merkle leaf (``EventLeaf``), which `verify` recomputes.
struct PreparedEventTests {
    static func events() throws -> [NewEvent] {
        let samples: [[String: JSONValue]] = [
            [:], ["n": .int(42), "s": .string("plain")], ["d": .double(1.5)], ["d": .double(1e21)],
            ["big": .int(1 << 60)], ["s": .string("\u{8}\u{c}\u{1}\n\"\\")],
            ["\u{E000}": .int(1), "\u{1F600}": .int(2)],
            ["nested": .object(["b": .array([.null, .bool(true)]), "a": .int(-3)])],
        ]
        let lines = try Fixtures.lines("native.ndjson").prefix(60).map { try NewEvent(ndjsonLine: Array($0.utf8)) }
        let crafted = samples.enumerated().map { offset, data in
            var event = EventFactory.event(
                stream: "UE-prep-\u{8}\u{c}-\(offset)", user: offset % 2 == 0 ? nil : "a\u{c}b@contoso.com", data: data)
            event.correlationID = offset % 3 == 0 ? nil : "corr-\u{1}-\(offset)"
            event.source = "src\u{8}"
            return event
        }
        return lines + crafted
    }

    @Test func theChainAndLeafHashesOfAPreparedEventAreThoseOfTheReferenceWriters() throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(path: directory.path("prepared.sqlite"))
        let preparer = store.makePreparer()
        var previous = EventHashing.genesis
        var scratch: [UInt8] = []
        for (index, event) in try Self.events().enumerated() {
            let position = Int64(index) * 977 + 1
            let version = Int64(index % 5) + 1
            let recordedAt = Timestamp(milliseconds: 1_790_000_000_000 + Int64(index) * 1_234_567)
            let prepared = preparer.prepare(event)
            #expect(prepared.invalidReason == nil)
            #expect(prepared.data == event.canonicalData)
            let chain = prepared.chainHash(
                previous: previous, position: position, version: version, recordedAt: recordedAt, scratch: &scratch)
            let canonical = EventHashing.canonicalBytes(
                position: position, version: version, recordedAt: recordedAt, event: event, data: event.canonicalData)
            #expect(chain == EventHashing.chain(previous: previous, canonical: canonical), "\(event.stream)")
            let leaf = prepared.leafHash(
                position: position, version: version, recordedAt: recordedAt, hash: chain, scratch: &scratch)
            let reference = EventLeaf.hash(
                position: position, version: version, recordedAt: recordedAt, hash: chain, event: event,
                data: event.canonicalData)
            #expect(leaf == reference, "\(event.stream)")
            previous = chain
        }
    }

    @Test func anEventTheCatalogueRefusesIsRefusedAtItsTurnWithTheFieldNamed() throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(path: directory.path("refused.sqlite"))
        let good = EventFactory.event(stream: "UE-ok")
        let bad = EventFactory.event(stream: "UE-bad", type: "profile.installed", data: ["profile_name": .int(3)])
        let prepared = store.makePreparer().prepare(bad)
        let reason = try #require(prepared.invalidReason)
        let error = #expect(throws: EventStoreError.self) {
            try store.write { appender in
                try appender.append(store.makePreparer().prepare(good))
                try appender.append(prepared)
            }
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.description.contains(reason) == true)
        #expect(try store.head().position == 0)
    }
}
