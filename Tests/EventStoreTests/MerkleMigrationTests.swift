import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

/// A store written before the tree existed (schema 0001 only) gets its tree from the migration.
struct MerkleMigrationTests {
    let directory = TemporaryDirectory()

    /// A store with the sample's events, turned back into a store of schema 0001: the tree's tables,
    /// triggers and migration record removed, as an older binary left it.
    func olderStore() throws -> (path: String, head: TreeHead, digest: String) {
        let path = directory.path("old.sqlite")
        let store = try SQLiteEventStore(path: path)
        try store.append(try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) })
        let head = try store.treeHead()
        let digest = try store.head().digest
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    DROP TABLE merkle_nodes; DROP TABLE checkpoints;
                    DELETE FROM grdb_migrations WHERE identifier = '0002_merkle_tree';
                    """)
        }
        try queue.close()
        return (path, head, digest)
    }

    @Test func theFirstWritableOpenOfAnOlderStoreBuildsTheSameTree() throws {
        let (path, head, digest) = try olderStore()
        var readOnly = StoreConfiguration()
        readOnly.readOnly = true
        #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path, configuration: readOnly) }
        let store = try SQLiteEventStore(path: path)
        #expect(try store.treeHead() == head, "the back-filled tree is the one appends build")
        let report = try store.verify()
        #expect(report.ok, "\(report)")
        #expect(report.headHash == digest, "the old chain keeps verifying, unchanged")
        // Appends go on from the back-filled right edge.
        try store.append([EventFactory.event()])
        #expect(try store.verify().ok)
        #expect(try store.treeHead().size == head.size + 1)
    }

    @Test func theTreeTablesRefuseUpdatesAndDeletes() throws {
        let path = directory.path("store.sqlite")
        let store = try SQLiteEventStore(path: path)
        try store.append([EventFactory.event(), EventFactory.event()])
        let queue = try DatabaseQueue(path: path)
        // Inserting is allowed (that is how the store appends); nothing stored can change or go.
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO checkpoints (size, root, origin, verifier_key, note, created_at)
                    VALUES (0, zeroblob(32), 'o', 'k', 'n', 0)
                    """)
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE merkle_nodes SET idx = idx") }
        }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM merkle_nodes") } }
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE checkpoints SET size = 1") }
        }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM checkpoints") } }
        // The checkpoint inserted by hand is not signed by the key it names: verify says so.
        let report = try store.verify()
        #expect(!report.ok)
        #expect(report.problem?.contains("recorded checkpoint 1 does not verify") == true)
    }
}
