import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

/// The leaf writer of the append path against RFC 8785 of the exported object, member by member.
struct EventLeafTests {
    /// The object `export` writes for an event, without `proof` (as docs/proofs.md spells it).
    static func exportedObject(_ recorded: RecordedEvent) -> JSONValue {
        let event = recorded.event
        return .object([
            "correlation_id": event.correlationID.map(JSONValue.string) ?? .null, "data": .object(event.data),
            "event_id": .string(event.eventID.lowercasedString), "hash": .string(recorded.hashHex),
            "occurred_at": .string(event.occurredAt.iso8601), "position": .int(recorded.position),
            "recorded_at": .string(recorded.recordedAt.iso8601), "schema": .int(Int64(event.schema)),
            "source": .string(event.source), "stream": .string(event.stream), "type": .string(event.type),
            "user": event.user.map(JSONValue.string) ?? .null, "version": .int(recorded.version),
        ])
    }

    @Test func theLeafIsTheJCSFormOfTheExportedEventForEveryKindOfData() throws {
        let samples: [[String: JSONValue]] = [
            [:], ["n": .int(42), "s": .string("plain")], ["d": .double(1.5)], ["d": .double(1e21)],
            ["d": .double(1e-7)], ["big": .int(1 << 60)], ["s": .string("\u{8}\u{c}\u{1}\n\"\\")],
            ["\u{E000}": .int(1), "\u{1F600}": .int(2)],
            ["nested": .object(["b": .array([.null, .bool(true)]), "a": .int(-3)])],
            ["digits": .int(123_456_789_012_345_678)], ["text": .string("1.5e3 in a string is not a number")],
        ]
        let lines = try Fixtures.lines("native.ndjson").prefix(50).map { try NewEvent(ndjsonLine: Array($0.utf8)) }
        let crafted = samples.enumerated().map { offset, data in
            EventFactory.event(stream: "UE-leaf-\(offset)", user: nil, data: data)
        }
        let events: [NewEvent] = lines + crafted
        for (index, event) in events.enumerated() {
            let recorded = RecordedEvent(
                position: Int64(index + 1), version: 1, recordedAt: Timestamp(milliseconds: 1_790_000_000_123),
                hash: Array(repeating: UInt8(index % 256), count: 32), event: event)
            let leaf = EventLeaf.bytes(
                position: recorded.position, version: 1, recordedAt: recorded.recordedAt, hash: recorded.hash,
                event: event, data: event.canonicalData)
            #expect(
                leaf == Self.exportedObject(recorded).jcsBytes,
                "\(event.type) \(JSONValue.object(event.data).canonicalString)")
        }
    }

    @Test func theStoredTreeIsTheTreeOfTheLeavesAndVerifyRecomputesIt() throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(path: directory.path("leaves.sqlite"))
        let events = try Fixtures.lines("native.ndjson").prefix(77).map { try NewEvent(ndjsonLine: Array($0.utf8)) }
        // In batches of different sizes: the frontier is read back at each transaction's start.
        for range in [0..<1, 1..<2, 2..<33, 33..<64, 64..<77] { try store.append(Array(events[range])) }
        var leaves: [[UInt8]] = []
        try store.forEachEvent { recorded in
            leaves.append(Self.exportedObject(recorded).jcsBytes)
            return true
        }
        #expect(try store.treeHead() == TreeHead(size: Int64(leaves.count), root: MerkleTreeTests.mth(leaves[...])))
        for size in [1, 2, 3, 31, 32, 33, 64, leaves.count - 1, leaves.count] {
            #expect(try store.treeRoot(size: Int64(size)) == MerkleTreeTests.mth(leaves.prefix(size)))
        }
        let report = try store.verify()
        #expect(report.ok, "\(report)")
        #expect(report.tree.size == leaves.count)
        #expect(leaves.count > 70, "the sample holds a few duplicates, which are not appended")
    }
}
