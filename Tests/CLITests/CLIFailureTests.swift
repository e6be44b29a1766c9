import CSV
import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// What a user meets when something is wrong: unknown ids, bad flags, an empty, missing or corrupt store.
struct CLIFailureTests {
    let directory = TemporaryDirectory()

    /// Every command that only reads a store, with what it needs besides `--store`.
    static let readCommands: [[String]] = [
        ["devices"], ["show", "tom.rossi@fabrikam.com"], ["timeline", "tom.rossi@fabrikam.com"], ["stats"],
        ["export"], ["export", "--user", "tom.rossi@fabrikam.com", "-o", "out.ndjson"], ["verify"], ["tail"],
    ]

    @Test(arguments: readCommands + [["rebuild"]])
    func aMissingStoreIsNotFoundNamesThePathAndCreatesNothing(_ command: [String]) throws {
        let store = directory.path("missing.sqlite")
        let result = try CommandLineTool.run(command + ["--store", store], currentDirectory: directory.url)
        #expect(result.status == 3)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr == "error: no store at \(store); ingest into it first, or name another with --store PATH\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty, "nothing created")
    }

    static let notStores: [(name: String, bytes: Data)] = [
        ("random bytes", Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })),
        ("a text file", Data("hello, this is not a database\n".utf8)),
        (
            "a SQLite header and garbage",
            Data("SQLite format 3\0".utf8) + Data(repeating: 0xA5, count: 4080)
        ),
    ]

    @Test(arguments: readCommands + [["rebuild"], ["ingest", "-"]])
    func aCorruptStoreIsAnIntegrityFailureAndIsLeftUntouched(_ command: [String]) throws {
        for (name, bytes) in Self.notStores {
            let store = directory.path("corrupt.sqlite")
            try bytes.write(to: URL(fileURLWithPath: store))
            let result = try CommandLineTool.run(command + ["--store", store], currentDirectory: directory.url)
            #expect(result.status == 4, "\(name): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(name)")
            #expect(result.stderr.contains("\(store) is not a valid enrollment audit store"), "\(name)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == bytes, "\(name): the file is untouched")
            try FileManager.default.removeItem(atPath: store)
        }
    }

    @Test(arguments: readCommands + [["rebuild"], ["ingest", "-"]])
    func anotherSQLiteDatabaseIsNotTakenForAStore(_ command: [String]) throws {
        let store = directory.path("other.sqlite")
        try sqlite(store, "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('keep me');")
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let result = try CommandLineTool.run(command + ["--store", store], currentDirectory: directory.url)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("is not a valid enrollment audit store"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }

    @Test func anEmptyStoreListsNothingAndCountsZero() throws {
        let store = directory.path("empty.sqlite")
        #expect(try CommandLineTool.run(["ingest", "--store", store, "-"]).status == 0)
        func run(_ arguments: [String]) throws -> CommandLineTool.Result {
            let result = try CommandLineTool.run(arguments + ["--store", store])
            #expect(result.stderr.isEmpty, "\(arguments)")
            return result
        }
        #expect(try run(["devices"]).stdout == "")
        #expect(try Parsed.array(run(["devices", "--format", "json"]).stdout).isEmpty)
        #expect(try run(["devices", "--format", "ndjson"]).stdout == "")
        let csv = try Parsed.csv(run(["devices", "--format", "csv"]).stdout)
        #expect(csv.header.first == "enrollment" && csv.rows.isEmpty)
        #expect(try run(["export"]).stdout == "")
        #expect(try Parsed.array(run(["export", "--format", "json"]).stdout).isEmpty)
        #expect(try run(["tail"]).stdout == "")

        let stats = try Parsed.object(run(["stats", "--format", "json"]).stdout)
        #expect(stats["enrollments"] == .int(0))
        #expect(stats["states"]?.objectValue?.values.allSatisfy { $0 == .int(0) } == true)
        #expect(stats["funnel"]?.objectValue?.values.allSatisfy { $0 == .int(0) } == true)
        #expect(stats["failures"] == .object([:]))
        #expect(stats["time_to_enroll_s"]?["p50"] == .null)
        #expect(try run(["stats"]).stdout.hasPrefix("Fleet: 0 enrollments\n"))

        for command in [["show", "nobody@contoso.com"], ["timeline", "nobody@contoso.com"]] {
            let result = try CommandLineTool.run(command + ["--store", store])
            #expect(result.status == 3)
            #expect(result.stdout.isEmpty)
        }
        let verify = try run(["verify", "--format", "json"])
        #expect(try Parsed.object(verify.stdout)["events"] == .int(0))
    }

    @Test func anUnknownIdIsNotFoundAndNamed() throws {
        let store = directory.path("one.sqlite")
        #expect(try CommandLineTool.run(["ingest", "--store", store, Fixtures.path("native.ndjson")]).status == 0)
        for command in [
            ["show", "UE-000000000000"], ["timeline", "UE-000000000000"], ["export", "--id", "UE-000000000000"],
            ["export", "--user", "UE-000000000000"], ["show", "UE-000000000000", "--format", "json"],
        ] {
            let result = try CommandLineTool.run(command + ["--store", store])
            #expect(result.status == 3, "\(command)")
            #expect(result.stdout.isEmpty, "\(command)")
            #expect(result.stderr == "error: no enrollment is known by 'UE-000000000000'\n", "\(command)")
        }
        // A user with no enrollments is an empty list, not an error.
        let devices = try CommandLineTool.run(["devices", "--user", "nobody@contoso.com", "--store", store])
        #expect(devices.status == 0)
        #expect(devices.stdout.isEmpty)
    }

    static let usageErrors: [[String]] = [
        ["frobnicate"], ["devices", "--format", "xml"], ["devices", "--stalled-for", "soon"],
        ["devices", "--stalled-for", "30x"], ["devices", "--limit", "-1"], ["devices", "--as-of", "yesterday"],
        ["devices", "--state", "stuck"], ["devices", "--bogus"], ["show"], ["show", "a", "b"],
        ["timeline", "x", "--format", "table"], ["stats", "--by", "week"], ["stats", "--format", "csv"],
        ["export", "--id", "a", "--user", "b"], ["export", "--format", "xml"], ["tail", "--after", "x"],
        ["verify", "--at", "3"], ["ingest", "--commit-every", "0"], ["ingest", "--from", "syslog"],
        ["demo", "--users", "0"], ["rebuild", "--projection", "nonsense"],
    ]

    @Test(arguments: usageErrors)
    func aBadFlagIsAUsageErrorOnStderr(_ command: [String]) throws {
        let store = directory.path("usage.sqlite")
        #expect(try CommandLineTool.run(["ingest", "--store", store, "-"]).status == 0)
        let result = try CommandLineTool.run(command + ["--store", store], currentDirectory: directory.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.lowercased().hasPrefix("error: "))
        #expect(!result.stderr.contains("OPTIONS:"), "a message, not the whole help")
        let culprit = command.count == 1 ? command[0] : command[command.count - 1]
        #expect(
            command.count == 1 || result.stderr.contains(culprit) || result.stderr.contains(command[1]),
            "the message names the culprit: \(result.stderr)")
    }

    /// Runs `sqlite3 PATH SQL`.
    func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
    }
}
