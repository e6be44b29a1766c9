import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import PostgresStore
import TestSupport
import Testing

/// The log is append-only for real: the database refuses UPDATE, DELETE and TRUNCATE, and `verify` names
/// what a superuser who gets past that changed.
struct AppendOnlyTests {
    static let changes = [
        "UPDATE events SET source = 'forged' WHERE position = 1", "DELETE FROM events WHERE position = 2",
        "UPDATE merkle_nodes SET level = level", "DELETE FROM merkle_nodes", "UPDATE checkpoints SET size = 0",
        "DELETE FROM checkpoints",
    ]

    static func seeded(_ backend: LogBackend) async throws -> TestLog {
        let store = try await backend.makeLog()
        try await store.log.append((0..<4).map { ContractEvents.event("UE-a", $0) })
        _ = try await store.log.signCheckpoint(with: try NoteSigner(generatingFor: "example.com/t")) { _ in [] }
        return store
    }

    @Test func sqliteTriggersRefuseEveryUpdateAndDelete() async throws {
        let store = try await Self.seeded(.sqlite)
        let queue = try DatabaseQueue(path: try #require(store.sqlitePath))
        for change in Self.changes {
            let error = try #require(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: change) } }
            #expect(error.message?.contains("append-only") == true, "\(change)")
        }
        #expect(try await store.log.verify(expectedDigest: nil, expectedPosition: nil).ok)
    }

    /// Every change, as `user` (the writer or the owner role), is refused with `refusal`; the log still verifies.
    static func expectRefused(as user: (PostgresCluster.Database) -> String, with refusal: String) async throws {
        let store = try await Self.seeded(.postgres)
        defer { Task { await store.close() } }
        let database = try #require(store.database)
        for change in Self.changes + ["TRUNCATE events CASCADE", "TRUNCATE merkle_nodes", "TRUNCATE checkpoints"] {
            let error = #expect(throws: PostgresCluster.ClusterError.self) {
                try database.cluster.psql(change, database: database.name, user: user(database))
            }
            #expect(error?.description.contains(refusal) == true, "\(change): \(error?.description ?? "")")
        }
        #expect(try await store.log.verify(expectedDigest: nil, expectedPosition: nil).ok)
    }

    @Test(.enabled(if: LogBackend.available.contains(.postgres)))
    func thePostgresWriterRoleMayNotUpdateDeleteOrTruncate() async throws {
        try await Self.expectRefused(as: \.writer, with: "permission denied")
    }

    @Test(.enabled(if: LogBackend.available.contains(.postgres)))
    func thePostgresTriggersRefuseTheOwnerToo() async throws {
        try await Self.expectRefused(as: \.owner, with: "is append-only")
    }

    /// A superuser can disable the triggers and rewrite a row: `verify` names the position, and reports the
    /// triggers while they stay disabled.
    @Test(.enabled(if: LogBackend.available.contains(.postgres)))
    func verifyNamesARowASuperuserRewroteAndDisabledTriggers() async throws {
        let store = try await Self.seeded(.postgres)
        defer { Task { await store.close() } }
        let database = try #require(store.database)
        let cluster = database.cluster
        try cluster.psql("ALTER TABLE events DISABLE TRIGGER USER", database: database.name)
        let disabled = try await store.log.verify(expectedDigest: nil, expectedPosition: nil)
        #expect(!disabled.ok)
        #expect(!disabled.triggersIntact)
        try cluster.psql("UPDATE events SET source = 'forged' WHERE position = 3", database: database.name)
        try cluster.psql("ALTER TABLE events ENABLE TRIGGER USER", database: database.name)
        let rewritten = try await store.log.verify(expectedDigest: nil, expectedPosition: nil)
        #expect(rewritten.firstBadPosition == 3)
        #expect(rewritten.problem?.contains("does not match its content") == true)
        try cluster.psql("ALTER TABLE merkle_nodes DISABLE TRIGGER USER", database: database.name)
        try cluster.psql("DELETE FROM merkle_nodes WHERE level = 1 AND idx = 1", database: database.name)
        try cluster.psql("ALTER TABLE merkle_nodes ENABLE TRIGGER USER", database: database.name)
        try cluster.psql("ALTER TABLE events DISABLE TRIGGER USER", database: database.name)
        try cluster.psql("UPDATE events SET source = 'test' WHERE position = 3", database: database.name)
        try cluster.psql("ALTER TABLE events ENABLE TRIGGER USER", database: database.name)
        let missingNode = try await store.log.verify(expectedDigest: nil, expectedPosition: nil)
        #expect(missingNode.problem == "the Merkle tree lacks its node at level 1, index 1")
    }
}
