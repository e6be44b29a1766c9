import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `export --id/--user` and `demo` through the built binary on `postgres://…`, against a file holding the
/// same log (`copy --to`): the same bytes, proofs included, and each export verifies offline.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresCommandsTests {
    let directory = TemporaryDirectory()

    func run(_ arguments: [String]) throws -> CommandLineTool.Result {
        try CommandLineTool.run(arguments)
    }

    @Test func anEnrollmentsOrAUsersExportIsTheSameBytesWithTheSameProofsOnBothBackends() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let postgres = database.address()
        let file = directory.path("audit.sqlite")
        let key = directory.path("audit.key")
        #expect(try run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key]).status == 0)
        let ingest = try run(["ingest", "--store", file] + SampleStoreFile.sampleFiles.map(Fixtures.path))
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try run(["checkpoint", "--store", file, "--key", key]).status == 0)
        let copy = try run(["copy", "--from", file, "--to", postgres])
        #expect(copy.status == 0, "\(copy.stderr)")

        let questions: [[String]] = [
            ["--user", "tom.rossi@fabrikam.com"], ["--id", "UE-b12e67531613"],
            ["--id", "20732AA5-911A-4C7B-8D5D-D1362B031301", "--no-proof", "--format", "csv"],
            ["--user", "maya.silva@contoso.com", "--format", "json", "--no-proof"],
            ["--user", "maya.silva@contoso.com", "--type", "discovery.succeeded", "--no-proof"],
            ["--user", "tom.rossi@fabrikam.com", "--key", key],
        ]
        for question in questions {
            let onFile = try run(["export", "--store", file] + question)
            let onPostgres = try run(["export", "--store", postgres] + question)
            #expect(onFile.status == 0, "\(question): \(onFile.stderr)")
            #expect(onPostgres.status == 0, "\(question): \(onPostgres.stderr)")
            #expect(!onFile.stdout.isEmpty, "\(question)")
            #expect(onPostgres.stdoutData == onFile.stdoutData, "\(question)")
        }

        // The user's export from PostgreSQL, with proofs against a checkpoint signed for it, checked offline
        // by both verifiers: each line proven, and the lines exactly those the checkpoint lists.
        let exported = directory.path("tom.ndjson")
        let signed = try run([
            "export", "--store", postgres, "--user", "tom.rossi@fabrikam.com", "--key", key, "-o", exported,
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        let offline = try run(["verify", "--file", exported, "--key", key + ".pub"])
        #expect(offline.status == 0, "\(offline.stdout) \(offline.stderr)")
        #expect(offline.stdout.contains("ok: 12 events in \(exported), each proven in the signed tree of 912 events"))
        #expect(offline.stdout.contains("complete: the lines are exactly the events the checkpoint lists"))
        let python = try PythonTool.run(["Tools/verify-export.py", exported, key + ".pub"])
        #expect(python.status == 0, "\(python.stdout) \(python.stderr)")
        #expect(python.stdout.contains("ok: 12 events"))

        let unknown = ["export", "--user", "nobody@contoso.com"]
        let missingOnFile = try run(unknown + ["--store", file])
        let missingOnPostgres = try run(unknown + ["--store", postgres])
        #expect(missingOnPostgres.status == 3)
        #expect(missingOnPostgres.stderr == missingOnFile.stderr)
    }

    @Test func anExportWithProofsAndNoCheckpointSaysToPassAKey() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let ingest = try run(["ingest", "--store", database.address(), Fixtures.path("native.ndjson")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let result = try run(["export", "--store", database.address(), "--user", "tom.rossi@fabrikam.com"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pass --key KEY to sign one for this export"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// The demo on PostgreSQL prints what it prints on a file (the same fleet, statistics and timeline),
    /// and refuses a database that already holds events, whatever the flags.
    @Test func theDemoRunsOnPostgreSQLAsOnAFileAndOnlyIntoAnEmptyDatabase() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let postgres = database.address()
        let file = directory.path("demo.sqlite")
        let demo = ["demo", "--users", "30", "--seed", "7"]
        let onFile = try run(demo + ["--store", file])
        let onPostgres = try run(demo + ["--store", postgres])
        #expect(onFile.status == 0, "\(onFile.stderr)")
        #expect(onPostgres.status == 0, "\(onPostgres.stderr)")
        #expect(onPostgres.stdout.contains("Simulated 30 users (seed 7) into \(postgres)"))
        #expect(onPostgres.stdout.contains("One stalled enrollment, as support would read it"))
        // The stall is measured from now, which moves between the two runs: compared without its length.
        func steady(_ text: String) -> String {
            text.replacingOccurrences(of: #"stalled [0-9dhms]+"#, with: "stalled …", options: .regularExpression)
        }
        #expect(steady(onPostgres.stdout.replacingOccurrences(of: postgres, with: file)) == steady(onFile.stdout))

        let devices = ["devices", "--format", "csv", "--as-of", "2027-01-01T00:00:00Z"]
        let listed = try run(devices + ["--store", postgres])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout == (try run(devices + ["--store", file])).stdout)
        #expect(try run(["verify", "--store", postgres]).status == 0)

        for flags in [[], ["--replace"]] {
            let again = try run(demo + ["--store", postgres] + flags)
            #expect(again.status == 1, "\(flags)")
            #expect(
                again.stderr.contains("events; demo writes only into a database that holds none"), "\(again.stderr)")
        }
        let verify = try run(["verify", "--store", postgres, "--format", "json"])
        let before = try JSONParser.parse(try run(["verify", "--store", file, "--format", "json"]).stdout)
        #expect(try JSONParser.parse(verify.stdout).objectValue?["events"] == before.objectValue?["events"])
    }
}
