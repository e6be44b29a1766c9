import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// The read models on PostgreSQL, kept by the folds inside the append transaction: through the real CLI
/// (`ingest`, `copy --to`, `verify --projections`, `rebuild`) and the library, compared row for row with
/// the SQLite store's tables (read with `psql`, `ProjectionDump`).
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresReadModelTests {
    let directory = TemporaryDirectory()

    static let fixtures = [
        "native.ndjson", "nanomdm-webhook.ndjson", "graph-troubleshooting.json", "discovery-access.log",
        "real-world/entra-signins.json",
    ].map(Fixtures.path)

    func run(_ arguments: [String]) throws -> CommandLineTool.Result {
        try CommandLineTool.run(arguments)
    }

    @Test func ingestingTheFixturesIntoSQLiteAndPostgresGivesTheSameReadModelsRowForRow() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let file = directory.path("store.sqlite")
        let sqlite = try run(["ingest", "--store", file, "--format", "json"] + Self.fixtures)
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        let postgres = try run(["ingest", "--store", database.address(), "--format", "json"] + Self.fixtures)
        #expect(postgres.status == 0, "\(postgres.stderr)")
        #expect(postgres.stdout == sqlite.stdout, "the same summary")

        let expected = try ProjectionDump.sqlite(file)
        #expect(expected.count(where: { $0.hasPrefix("device_status ") }) > 10)
        #expect(expected.contains { $0.hasPrefix("fleet_stats ") })
        #expect(expected.contains { $0.hasPrefix("identity_userless ") })
        let stored = try ProjectionDump.postgres(database)
        #expect(stored.count == expected.count)
        #expect(stored == expected)

        // Ingested again: every event a duplicate, nothing changes.
        let again = try run(["ingest", "--store", database.address()] + Self.fixtures)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try ProjectionDump.postgres(database) == expected)
        let verify = try run(["verify", "--store", database.address(), "--projections"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("identical to a rebuild from the log"))
    }

    @Test func copyToPostgresFillsTheReadModelsAsTheSQLiteStoreHoldsThem() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let file = directory.path("store.sqlite")
        #expect(try run(["ingest", "--store", file] + Self.fixtures).status == 0)
        let copy = try run(["copy", "--from", file, "--to", database.address()])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(try ProjectionDump.postgres(database) == (try ProjectionDump.sqlite(file)))
    }

    @Test func aStrictIngestWithABadRecordStoresNothingOnPostgres() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let bad = directory.path("bad.ndjson")
        let lines = try Fixtures.lines("native.ndjson")
        try Data((lines.prefix(40) + ["{\"not\": \"an event\"}"] + lines.dropFirst(40)).joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: bad))
        let refused = try run(["ingest", "--store", database.address(), bad])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("bad.ndjson:41"), "\(refused.stderr)")
        #expect(try database.cluster.psql("SELECT count(*) FROM events", database: database.name) == "0\n")
        #expect(try ProjectionDump.postgres(database).isEmpty)
    }

    /// A batch whose read-model write fails (a constraint the superuser added refuses one row) rolls back
    /// whole: the log and every read-model table are as before it.
    @Test func aBatchWhoseReadModelsFailLeavesTheLogAndTheReadModelsUnchanged() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let store = try await PostgresFixture.writer(database)
        let sample = try ContractEvents.sample()
        try await store.append(Array(sample.prefix(300)), expectedVersions: [:])
        let head = try await store.head().position
        let before = try ProjectionDump.postgres(database)
        #expect(before.contains { $0.hasPrefix("device_status ") })
        try database.cluster.psql(
            "ALTER TABLE device_status ADD CONSTRAINT refuse_boom CHECK (enrollment <> 'BOOM-1')",
            database: database.name)
        let boom = ContractEvents.event("BOOM-1", 0)
        await #expect(throws: EventStoreError.self) {
            try await store.append(Array(sample.dropFirst(300).prefix(100)) + [boom], expectedVersions: [:])
        }
        #expect(try await store.head().position == head)
        #expect(try ProjectionDump.postgres(database) == before)
        // Without the poison event the same batch goes in, read models and all.
        let stored = try await store.append(Array(sample.dropFirst(300).prefix(100)), expectedVersions: [:])
        #expect(try await store.head().position == head + Int64(stored.appended))
        #expect(stored.appended > 50)
        #expect(try ProjectionDump.postgres(database) != before)
        await store.close()
    }

    @Test func verifyProjectionsNamesAHandEditedDeviceStatusRowAndRebuildRepairsIt() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let address = database.address()
        #expect(try run(["ingest", "--store", address] + Self.fixtures).status == 0)
        let expected = try ProjectionDump.postgres(database)
        let enrollment = try database.cluster.psql(
            "SELECT enrollment FROM device_status ORDER BY enrollment LIMIT 1", database: database.name
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        try database.cluster.psql(
            "UPDATE device_status SET model = 'edited by hand' WHERE enrollment = '\(enrollment)'",
            database: database.name)
        let broken = try run(["verify", "--store", address, "--projections"])
        #expect(broken.status == 4, "\(broken.stdout) \(broken.stderr)")
        #expect(
            broken.stdout.contains(
                "table device_status, row enrollment=\"\(enrollment)\", column model: stored \"edited by hand\""),
            "\(broken.stdout)")

        let rebuilt = try run(["rebuild", "--store", address])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("rebuilt identity, device_status from"))
        #expect(try ProjectionDump.postgres(database) == expected)
        #expect(try run(["verify", "--store", address, "--projections"]).status == 0)
        let one = try run(["rebuild", "--store", address, "--projection", "identity"])
        #expect(one.status == 1)
        #expect(one.stderr.contains("--projection does not apply to postgres://"))
    }

    /// The folds' queries scale with the enrollments a batch touches, not with its events: the writes are
    /// one statement per kind of change, and the roots of a batch's streams one read.
    @Test func theFoldsQueriesGrowWithTheEnrollmentsABatchTouchesNotItsEvents() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let store = try await PostgresFixture.writer(database)
        let sample = try ContractEvents.sample()
        let whole = try await store.append(sample, expectedVersions: [:])
        let forSample = await store.projectionQueries
        let enrollments = try #require(
            Int(
                try database.cluster.psql("SELECT count(*) FROM device_status", database: database.name)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        // Measured: 702 events, 81 enrollments, 79 queries (239 before the drain's reads were read ahead).
        #expect(enrollments > 50)
        #expect(forSample * 4 < whole.appended, "\(forSample) queries for \(whole.appended) events")
        #expect(forSample < 2 * enrollments, "\(forSample) queries for \(enrollments) enrollments")
        try await store.append([ContractEvents.event("UE-one-more", 0)], expectedVersions: [:])
        let forOne = await store.projectionQueries - forSample
        // Measured: 9 (the emptiness check, the identity reads, the writes, the drain's reads).
        #expect(forOne <= 12, "\(forOne) queries for one event")
        await store.close()
    }
}
