import EventStore
import PostgresStore
import TestSupport
import Testing

/// The numbered migrations: applied once by the owner, refused clearly to a role that may not, and a
/// database of a newer version refused.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresSchemaTests {
    @Test func theOwnerMigratesOnceAndTheWriterRoleIsToldToAskIt() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let writer = try PostgresLocation(database.address(user: database.writer))
        let refused = try await #require(throws: EventStoreError.self) {
            _ = try await PostgresEventStore.open(writer)
        }
        #expect(refused.code == .readOnly)
        #expect(refused.message.contains("lacks migration 0001_log"))
        #expect(refused.message.contains("owner role"))
        let reader = try await #require(throws: EventStoreError.self) {
            _ = try await PostgresEventStore.open(writer, migrate: false)
        }
        #expect(reader.code == .storeNotFound)
        for _ in 0..<2 {
            try await PostgresEventStore.open(try PostgresLocation(database.address())).close()
        }
        let applied = try database.cluster.psql(
            "SELECT string_agg(name, ',' ORDER BY id) FROM enroll_audit_migrations", database: database.name)
        #expect(applied.trimmingCharacters(in: .whitespacesAndNewlines) == "0001_log,0002_projections")
    }

    /// A store whose log was written before migration 0002 (the read models): the owner's next open creates
    /// the tables and fills them from the log.
    @Test func aLogFromBeforeTheReadModelsGetsThemFilledWhenTheOwnerMigratesIt() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let owner = try PostgresLocation(database.address())
        let store = try await PostgresEventStore.open(owner)
        try await store.append(try ContractEvents.sample(), expectedVersions: [:])
        await store.close()
        let expected = try ProjectionDump.postgres(database)
        #expect(expected.count > 100)
        try database.cluster.psql(
            "DROP TABLE " + PostgresEventStore.projectionTables.joined(separator: ", "), database: database.name)
        try database.cluster.psql("DELETE FROM enroll_audit_migrations WHERE id = 2", database: database.name)
        try await PostgresEventStore.open(owner).close()
        #expect(try ProjectionDump.postgres(database) == expected)
    }

    @Test func aDatabaseOfANewerVersionIsRefused() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let owner = try PostgresLocation(database.address())
        try await PostgresEventStore.open(owner).close()
        try database.cluster.psql(
            "INSERT INTO enroll_audit_migrations (id, name) VALUES (999, '0999_future')", database: database.name)
        let error = try await #require(throws: EventStoreError.self) { _ = try await PostgresEventStore.open(owner) }
        #expect(error.code == .schemaTooNew)
        #expect(error.message.contains("migration 999"))
    }
}
