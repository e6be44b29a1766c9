import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// The log-only commands through the built binary with `--store postgres://…`, and `copy` both ways.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresCLITests {
    let directory = TemporaryDirectory()

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
        try CommandLineTool.run(arguments, environment: environment)
    }

    /// SQLite → PostgreSQL → SQLite: every copy keeps the tree, the digest and the checkpoints, so the proof
    /// exports of all three stores are the same bytes, and each verifies offline with the log's key.
    @Test func copyRoundTripsAStoreWithIdenticalTreeCheckpointsAndProofExports() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let postgres = database.address()
        let first = directory.path("first.sqlite")
        let back = directory.path("back.sqlite")
        let key = directory.path("audit.key")
        #expect(try run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key]).status == 0)
        let ingest = try run(["ingest", "--store", first, Fixtures.path("native.ndjson")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try run(["checkpoint", "--store", first, "--key", key]).status == 0)

        let there = try run(["copy", "--from", first, "--to", postgres])
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("copied 702 events and 1 checkpoints"))
        let verifyFirst = try run(["verify", "--store", first, "--format", "json"])
        let verifyPostgres = try run(["verify", "--store", postgres, "--format", "json"])
        #expect(verifyPostgres.status == 0, "\(verifyPostgres.stderr)")
        let sqliteReport = try JSONParser.parse(verifyFirst.stdout).objectValue ?? [:]
        let postgresReport = try JSONParser.parse(verifyPostgres.stdout).objectValue ?? [:]
        for member in ["head_hash", "tree_root", "tree_size", "events", "checkpoints", "triggers_intact"] {
            #expect(postgresReport[member] == sqliteReport[member], "\(member)")
        }
        let later = try run(["checkpoint", "--store", postgres, "--key", key])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout.contains("\n702\n"))
        let laterFile = directory.path("later.txt")
        try Data(later.stdout.utf8).write(to: URL(fileURLWithPath: laterFile))
        let extends = try run(["verify", "--store", postgres, "--checkpoint", laterFile, "--key", key + ".pub"])
        #expect(extends.status == 0, "\(extends.stderr)")
        #expect(extends.stdout.contains("consistency proven"))
        let signed = directory.path("signed.ndjson")
        let signedExport = try run(["export", "--store", postgres, "--proof", "--key", key, "-o", signed])
        #expect(signedExport.status == 0, "\(signedExport.stderr)")
        let complete = try run([
            "verify", "--file", signed, "--key", key + ".pub", "--checkpoint", laterFile, "--store", postgres,
        ])
        #expect(complete.status == 0, "\(complete.stdout) \(complete.stderr)")
        #expect(complete.stdout.contains("complete: the lines are exactly the events the checkpoint lists"))

        let home = try run(["copy", "--from", postgres, "--to", back])
        #expect(home.status == 0, "\(home.stderr)")
        #expect(home.stdout.contains("copied 702 events and 3 checkpoints"))
        let verifyBack = try run(["verify", "--store", back, "--format", "json"])
        #expect(verifyBack.status == 0, "\(verifyBack.stderr)")
        let backReport = try JSONParser.parse(verifyBack.stdout).objectValue ?? [:]
        #expect(backReport["tree_root"] == sqliteReport["tree_root"])
        #expect(backReport["checkpoints"] == .int(3))

        var exports: [String] = []
        for store in [first, postgres, back] {
            let export = try run(["export", "--store", store, "--proof"])
            #expect(export.status == 0, "\(store): \(export.stderr)")
            exports.append(export.stdout)
        }
        #expect(exports[0].split(separator: "\n").count == 702)
        #expect(exports[1] == exports[0])
        #expect(exports[2] == exports[0])
        let file = directory.path("postgres.ndjson")
        try Data(exports[1].utf8).write(to: URL(fileURLWithPath: file))
        let offline = try run(["verify", "--file", file, "--key", key + ".pub"])
        #expect(offline.status == 0, "\(offline.stdout) \(offline.stderr)")
        let plain = try run(["export", "--store", postgres, "--format", "csv"])
        #expect(try run(["export", "--store", first, "--format", "csv"]).stdout == plain.stdout)

        let again = try run(["copy", "--from", back, "--to", postgres])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("copied 0 events and 0 checkpoints"))
        // The PostgreSQL store holds a checkpoint the first store never signed: not a prefix of it.
        let behind = try run(["copy", "--from", first, "--to", postgres])
        #expect(behind.status == 4)
        #expect(behind.stderr.contains("holds checkpoints that"))
    }

    /// `checkpoint --from SIZE` on PostgreSQL: the tlog-witness form proves an export's checkpoint extended
    /// by a later one offline, and a size beyond the tree is refused.
    @Test func checkpointFromGivesAConsistencyProofThatVerifiesAnExportOffline() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let postgres = database.address()
        let first = directory.path("first.sqlite")
        let key = directory.path("audit.key")
        #expect(try run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key]).status == 0)
        #expect(try run(["ingest", "--store", first, Fixtures.path("native.ndjson")]).status == 0)
        #expect(try run(["checkpoint", "--store", first, "--key", key]).status == 0)
        #expect(try run(["copy", "--from", first, "--to", postgres]).status == 0)
        let exported = directory.path("export.ndjson")
        let export = try run(["export", "--store", postgres, "--proof", "-o", exported])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try run(["append", "--store", first, EventFactory.ndjsonLines(count: 1).joined()]).status == 0)
        #expect(try run(["copy", "--from", first, "--to", postgres]).status == 0)

        let witness = try run(["checkpoint", "--store", postgres, "--key", key, "--from", "702"])
        #expect(witness.status == 0, "\(witness.stderr)")
        #expect(witness.stdout.hasPrefix("old 702\n"))
        #expect(witness.stdout.contains("\n\nexample.com/enrollment-audit\n703\n"))
        let witnessFile = directory.path("witness.txt")
        try Data(witness.stdout.utf8).write(to: URL(fileURLWithPath: witnessFile))
        let offline = try run(["verify", "--file", exported, "--key", key + ".pub", "--checkpoint", witnessFile])
        #expect(offline.status == 0, "\(offline.stdout) \(offline.stderr)")
        #expect(
            offline.stdout.contains("(703 events) extends the export's: consistency proven by the proof it carries"))

        let beyond = try run(["checkpoint", "--store", postgres, "--key", key, "--from", "704"])
        #expect(beyond.status == 1)
        #expect(beyond.stderr.contains("holds only 703 events"), "\(beyond.stderr)")
    }

    @Test func tailAndTheEnvironmentVariableReachAPostgresStore() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let first = directory.path("first.sqlite")
        #expect(try run(["ingest", "--store", first, Fixtures.path("native.ndjson")]).status == 0)
        #expect(try run(["copy", "--from", first, "--to", database.address()]).status == 0)
        let sqliteTail = try run(["tail", "--store", first, "--after", "690"])
        let postgresTail = try run(["tail", "--after", "690"], environment: ["ENROLL_AUDIT_STORE": database.address()])
        #expect(postgresTail.status == 0, "\(postgresTail.stderr)")
        #expect(postgresTail.stdout == sqliteTail.stdout)
        #expect(postgresTail.stdout.split(separator: "\n").count == 12)
        let limited = try run(["tail", "--store", database.address(), "--limit", "3"])
        #expect(limited.stdout.split(separator: "\n").count == 3)
    }

    @Test func aCopyIntoAnotherLogIsRefusedAndChangesNothing() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let first = directory.path("first.sqlite")
        let other = directory.path("other.sqlite")
        #expect(try run(["ingest", "--store", first, Fixtures.path("native.ndjson")]).status == 0)
        let line = EventFactory.ndjsonLines(count: 1).joined()
        #expect(try run(["append", "--store", other, line]).status == 0)
        #expect(try run(["copy", "--from", other, "--to", database.address()]).status == 0)
        let refused = try run(["copy", "--from", first, "--to", database.address()])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("are not the first 1 of"))
        let report = try run(["verify", "--store", database.address(), "--format", "json"])
        #expect(try JSONParser.parse(report.stdout).objectValue?["events"] == .int(1))
    }

    @Test func aMalformedAddressIsAUsageErrorAndAnEmptyDatabaseIsNotFound() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let malformed = try run(["verify", "--store", "postgres://nobody-here"])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("malformed PostgreSQL address"))
        // The query commands read the store as it is: an empty database is "not found", never migrated.
        for command in ["verify", "devices", "stats", "backup --to \(directory.path("x.sqlite"))"] {
            let missing = try run(command.split(separator: " ").map(String.init) + ["--store", database.address()])
            #expect(missing.status == 3, "\(command): \(missing.stderr)")
            #expect(missing.stderr.contains("holds no enrollment audit store"), "\(command)")
        }
    }
}
