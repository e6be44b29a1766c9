import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// The first commands as a user meets them: the built binary, its stdout, stderr and exit status.
struct CLIBasicsTests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("cli.sqlite") }

    @Test func ingestThenVerifyThenExportThenReingest() throws {
        let ingest = try CommandLineTool.run([
            "ingest", "--store", store, "--format", "json", Fixtures.path("native.ndjson"),
        ])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let summary = try #require(try JSONParser.parse(ingest.stdout).objectValue)
        #expect(summary["appended"] == .int(702))
        #expect(summary["duplicates"] == .int(16))
        #expect(summary["rejected"] == .int(0))

        let again = try CommandLineTool.run(["ingest", "--store", store, Fixtures.path("native.ndjson")])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 appended"))

        let verify = try CommandLineTool.run(["verify", "--store", store, "--format", "json"])
        #expect(verify.status == 0)
        let report = try #require(try JSONParser.parse(verify.stdout).objectValue)
        #expect(report["ok"] == .bool(true))
        #expect(report["events"] == .int(702))
        #expect(report["head_position"] == .int(702))
        let digest = try #require(report["head_hash"]?.stringValue)
        #expect(digest.count == 64)

        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(export.status == 0)
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 702)
        let first = try #require(try JSONParser.parse(String(lines[0])).objectValue)
        #expect(first["position"] == .int(1))
        #expect(first["hash"]?.stringValue?.count == 64)
        #expect(lines.last.map { $0.contains(digest) } == true)

        let copy = directory.path("copy.sqlite")
        let reingest = try CommandLineTool.run(["ingest", "--store", copy, "-"], stdin: export.stdoutData)
        #expect(reingest.status == 0, "\(reingest.stderr)")
        #expect(reingest.stdout.contains("702 appended"))
    }

    @Test func aBadLineFailsTheWholeIngestWithFileLineAndField() throws {
        var lines = try Fixtures.lines("native.ndjson").prefix(20).map { $0 }
        lines[12] = lines[12].replacingOccurrences(of: "\"occurred_at\":\"2026", with: "\"occurred_at\":\"yesterday")
        let input = directory.path("bad.ndjson")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["ingest", "--store", store, input])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.ndjson:13"))
        #expect(result.stderr.contains("occurred_at"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: store), "a failed first ingest leaves no store behind")
    }

    @Test func verifyOfAMissingStoreIsNotFoundAndCreatesNothing() throws {
        let result = try CommandLineTool.run(["verify", "--store", store])
        #expect(result.status == 3)
        #expect(result.stderr.contains(store))
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func theStoreDefaultsToTheEnvironmentVariable() throws {
        let result = try CommandLineTool.run(
            ["ingest", Fixtures.path("native.ndjson")], environment: ["ENROLL_AUDIT_STORE": store])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: store))
    }

    @Test func appendHonoursExpectedVersions() throws {
        let event =
            #"{"event_id":"\#(UUID().uuidString)","stream":"UE-cli","type":"remote_management.allowed","occurred_at":"2026-10-01T16:35:20Z","source":"test"}"#
        let first = try CommandLineTool.run(["append", "--store", store, "--expected-version", "0", event])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("at position 1"))
        let other =
            #"{"event_id":"\#(UUID().uuidString)","stream":"UE-cli","type":"remote_management.allowed","occurred_at":"2026-10-01T16:35:21Z","source":"test"}"#
        let conflict = try CommandLineTool.run(["append", "--store", store, "--expected-version", "0", other])
        #expect(conflict.status == 2)
        #expect(conflict.stderr.contains("UE-cli"))
        #expect(conflict.stderr.contains("version 1") && conflict.stderr.contains("version 0"))
    }

    @Test func verifyOfATamperedStoreExitsFourAndNamesThePosition() throws {
        _ = try CommandLineTool.run(["ingest", "--store", store, Fixtures.path("native.ndjson")])
        let sql =
            "DROP TRIGGER events_refuse_update; UPDATE events SET occurred_at = occurred_at + 1 WHERE position = 42;"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [store, sql]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let result = try CommandLineTool.run(["verify", "--store", store, "--format", "json"])
        #expect(result.status == 4)
        #expect(result.stdout.contains("\"first_bad_position\":42"))
    }

    @Test func usageErrorsExitOne() throws {
        #expect(try CommandLineTool.run(["frobnicate"]).status == 1)
        #expect(try CommandLineTool.run(["ingest", "--commit-every", "0"]).status == 1)
    }
}
