import Foundation
import GRDB
import TestSupport
import Testing

/// The query commands (devices, show, timeline, stats) through the built binary on a file and on
/// `postgres://…` holding the same log (`copy --to`) and the same read-model rows (``ProjectionRowCopy``):
/// every question gets the same bytes on both, hostile texts escaped the same way.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresQueryTests {
    let directory = TemporaryDirectory()

    /// Texts a device could report, written into one enrollment's row on the file before the rows are copied.
    static let escape = "iPhone\u{1b}]0;owned\u{7}\u{1b}[2J"
    static let formula = "=HYPERLINK(\"http://evil.example\",\"x\")"
    static let plus = "+SUM(1;2)"

    /// A store with the four samples, one row made hostile, copied to a fresh PostgreSQL database.
    func stores() async throws -> (file: String, postgres: String) {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let file = directory.path("audit.sqlite")
        let ingest = try CommandLineTool.run(
            ["ingest", "--store", file] + SampleStoreFile.sampleFiles.map(Fixtures.path))
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let queue = try DatabaseQueue(path: file)
        try await queue.write { db in
            try db.execute(
                sql: """
                    UPDATE device_status SET model = ?, os_version = ?, problem_type = coalesce(problem_type, 'x'),
                        problem_reason = ?
                    WHERE enrollment = 'UE-b12e67531613'
                    """, arguments: [Self.escape, Self.formula, Self.plus])
            #expect(db.changesCount == 1)
        }
        try queue.close()
        let copy = try CommandLineTool.run(["copy", "--from", file, "--to", database.address()])
        #expect(copy.status == 0, "\(copy.stderr)")
        let rows = try await ProjectionRowCopy.copy(from: file, to: database)
        #expect(rows > 100)
        // The service's role, granted by the owner: what a deployment's readers use.
        await (try await PostgresFixture.writer(database)).close()
        return (file, database.address(user: database.writer))
    }

    static let later = ["--as-of", "2027-01-01T00:00:00Z"]

    /// The questions asked of both backends: every command, format, filter, order, a page, points in time.
    static let questions: [[String]] = {
        let then = ["--as-of", "2026-10-06T12:00:00Z"]
        return [
            ["devices"] + later, ["devices", "--format", "json"] + later, ["devices", "--format", "ndjson"] + later,
            ["devices", "--format", "csv"] + later, ["devices", "--stalled-for", "2h"] + then,
            ["devices", "--state", "failed", "--format", "json"] + then, ["devices", "--user", "tom.rossi"] + later,
            ["devices", "--domain", "fabrikam.com", "--sort", "user"] + later,
            ["devices", "--sort", "last-step", "--limit", "3"] + later,
            ["devices", "--sort", "user", "--limit", "4", "--after", "UE-b12e67531613"] + later,
            ["devices", "--model", "IPHONE16,1", "--os", "18"] + later,
            ["devices", "--reason", "AUTHENTICATOR_MISSING", "--format", "ndjson"] + later,
            ["devices", "--step", "jit_registration", "--sort", "last-seen"] + later,
            ["devices", "--state", "failed"] + ["--as-of", "2026-10-03T12:00:00Z"],
            ["devices", "--since", "2026-10-02T00:00:00Z", "--until", "2026-10-05T12:00:00Z"] + later,
            ["show", "tom.rossi@fabrikam.com", "--format", "json"] + later,
            ["show", "20732AA5-911A-4C7B-8D5D-D1362B031301"] + later,
            ["timeline", "tom.rossi@fabrikam.com"] + then, ["timeline", "UE-b12e67531613", "--format", "json"] + later,
            ["timeline", "UE-b12e67531613", "--format", "csv"] + later,
            ["stats"], ["stats", "--by", "day", "--format", "json"],
            ["stats", "--since", "2026-10-01T12:00:00Z", "--until", "2026-10-05T06:00:00Z", "--format", "prometheus"],
        ]
    }()

    /// Asks every question of both stores: the same exit status and the same bytes.
    func expectSameAnswers(file: String, postgres: String, skipping: Set<[String]> = []) throws {
        var nonEmpty = 0
        let questions = Self.questions.filter { !skipping.contains($0) }
        for question in questions {
            let onFile = try CommandLineTool.run(question + ["--store", file])
            let onPostgres = try CommandLineTool.run(question + ["--store", postgres])
            #expect(onFile.status == 0, "\(question): \(onFile.stderr)")
            #expect(onPostgres.status == 0, "\(question): \(onPostgres.stderr)")
            #expect(onPostgres.stdout == onFile.stdout, "\(question)")
            if !onFile.stdout.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty == questions.count, "every question has an answer to compare")
    }

    @Test func everyQueryCommandAnswersPostgreSQLWithTheBytesItAnswersTheFile() async throws {
        let (file, postgres) = try await stores()
        let later = Self.later
        try expectSameAnswers(file: file, postgres: postgres)
        // What the hostile row became: escaped in the table, neutralised in CSV, on both.
        let table = try CommandLineTool.run(["devices", "--store", postgres, "--user", "tom.rossi"] + later)
        #expect(!table.stdout.contains("\u{1b}") && !table.stdout.contains("\u{7}"))
        #expect(table.stdout.contains("iPhone"))
        let csv = try CommandLineTool.run(["devices", "--store", postgres, "--format", "csv"] + later)
        #expect(!csv.stdout.contains(",=HYPERLINK") && !csv.stdout.contains(",+SUM"))
        #expect(csv.stdout.contains("HYPERLINK"))
    }

    /// No rows copied: `copy --to` and `ingest` on PostgreSQL run the folds there, and the rows they write
    /// answer every question as the file's do.
    @Test func theReadModelsPostgreSQLWritesAnswerAsTheFileDoes() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let file = directory.path("audit.sqlite")
        let samples = SampleStoreFile.sampleFiles.map(Fixtures.path)
        #expect(try CommandLineTool.run(["ingest", "--store", file] + samples).status == 0)
        let copy = try CommandLineTool.run(["copy", "--from", file, "--to", database.address()])
        #expect(copy.status == 0, "\(copy.stderr)")
        try expectSameAnswers(file: file, postgres: database.address())

        let ingested = try #require(PostgresCluster.shared).makeDatabase()
        let ingest = try CommandLineTool.run(["ingest", "--store", ingested.address()] + samples)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        // Timelines in JSON and CSV carry each event's `recorded_at`, which two ingests give different values.
        try expectSameAnswers(
            file: file, postgres: ingested.address(),
            skipping: [
                ["timeline", "UE-b12e67531613", "--format", "json"] + Self.later,
                ["timeline", "UE-b12e67531613", "--format", "csv"] + Self.later,
            ])
    }

    @Test func unknownIdsAndPagesFailAlikeOnBothBackends() async throws {
        let (file, postgres) = try await stores()
        for question in [["show", "nobody@contoso.com"], ["devices", "--after", "UE-nothing-here"]] {
            let onFile = try CommandLineTool.run(question + ["--store", file])
            let onPostgres = try CommandLineTool.run(question + ["--store", postgres])
            #expect(onFile.status == 3, "\(question)")
            #expect(onPostgres.status == 3, "\(question)")
            #expect(onPostgres.stderr == onFile.stderr, "\(question)")
        }
    }
}
