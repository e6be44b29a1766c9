import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

/// Tampering outside the tool: drop the triggers with raw SQL, then alter rows.
struct TamperTests {
    let directory = TemporaryDirectory()

    func storeWithSample() throws -> (store: SQLiteEventStore, queue: DatabaseQueue) {
        let path = directory.path("store.sqlite")
        let store = try SQLiteEventStore(path: path)
        try store.append(try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) })
        #expect(try store.verify().ok)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete")
        }
        return (store, queue)
    }

    @Test func changingOnePayloadByteIsNamedByPosition() throws {
        let (store, queue) = try storeWithSample()
        try queue.write { db in
            var payload = try Data.fetchOne(db, sql: "SELECT payload FROM events WHERE position = 300")!
            payload[payload.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE events SET payload = ? WHERE position = 300", arguments: [payload])
            // Put the triggers back so only the chain can tell.
        }
        let report = try store.verify()
        #expect(!report.ok)
        #expect(report.firstBadPosition == 300)
        #expect(report.events == 299)
    }

    @Test func deletingOneRowIsNamedByPosition() throws {
        let (store, queue) = try storeWithSample()
        try queue.write { try $0.execute(sql: "DELETE FROM events WHERE position = 123") }
        let report = try store.verify()
        #expect(!report.ok)
        #expect(report.firstBadPosition == 123)
    }

    @Test func swappingTwoRowsPayloadsIsNamedByTheFirstPosition() throws {
        let (store, queue) = try storeWithSample()
        try queue.write { db in
            let a = try Row.fetchOne(
                db, sql: "SELECT payload, codec, dictionary_id, data_size FROM events WHERE position = 40")!
            let b = try Row.fetchOne(
                db, sql: "SELECT payload, codec, dictionary_id, data_size FROM events WHERE position = 41")!
            let sql = "UPDATE events SET payload = ?, codec = ?, dictionary_id = ?, data_size = ? WHERE position = ?"
            try db.execute(sql: sql, arguments: [b[0], b[1], b[2], b[3], 40] as StatementArguments)
            try db.execute(sql: sql, arguments: [a[0], a[1], a[2], a[3], 41] as StatementArguments)
        }
        let report = try store.verify()
        #expect(!report.ok)
        #expect(report.firstBadPosition == 40)
    }

    @Test func changingAnEnvelopeColumnBreaksTheChain() throws {
        let (store, queue) = try storeWithSample()
        try queue.write { try $0.execute(sql: "UPDATE events SET occurred_at = occurred_at + 1 WHERE position = 7") }
        #expect(try store.verify().firstBadPosition == 7)
    }

    @Test func anUnknownTypeFlaggedKnownIsNamedByPosition() throws {
        let (store, queue) = try storeWithSample()
        try store.append([EventFactory.event(stream: "UE-vendor", type: "vendor.custom_signal")])
        try queue.write { try $0.execute(sql: "UPDATE events SET known_type = 1 WHERE position = 703") }
        let report = try store.verify()
        #expect(report.firstBadPosition == 703)
        #expect(report.problem?.contains("known type") == true)
    }

    @Test func removedTriggersAloneAreReported() throws {
        let (store, _) = try storeWithSample()
        let report = try store.verify()
        #expect(!report.ok)
        #expect(!report.triggersIntact)
        #expect(report.firstBadPosition == nil)
    }

    @Test func aTruncatedLogWhoseTreeWasLeftIsCaughtByTheTree() throws {
        let (store, queue) = try storeWithSample()
        try queue.write { try $0.execute(sql: "DELETE FROM events WHERE position > 700") }
        let report = try store.verify()
        #expect(!report.ok)
        #expect(report.problem?.contains("Merkle tree holds a node at level 0, index 700") == true)
    }

    @Test func aTruncatedTailIsCaughtOnlyByADigestKeptElsewhere() throws {
        let (store, queue) = try storeWithSample()
        let digest = try store.head().digest
        try queue.write { db in
            // Truncate the log and its tree alike: what remains is a valid log of 700 events.
            try db.execute(sql: "DELETE FROM events WHERE position > 700")
            try db.execute(sql: "DROP TRIGGER merkle_nodes_refuse_delete")
            try db.execute(sql: "DELETE FROM merkle_nodes WHERE ((idx + 1) << level) > 700")
            try db.execute(
                sql: """
                    CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'x'); END;
                    CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'x'); END;
                    CREATE TRIGGER merkle_nodes_refuse_delete BEFORE DELETE ON merkle_nodes
                        BEGIN SELECT RAISE(ABORT, 'x'); END;
                    """)
        }
        #expect(try store.verify().ok, "a shorter chain is still a valid chain")
        let report = try store.verify(expectedDigest: digest)
        #expect(!report.ok)
        #expect(report.problem?.contains("expected digest") == true)
        let earlier = try store.verify(expectedDigest: try store.head().digest, expectedPosition: 700)
        #expect(earlier.ok)
    }
}
