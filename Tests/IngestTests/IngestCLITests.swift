import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `enroll-audit ingest` with the four sample formats, as a user runs it.
struct IngestCLITests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("cli.sqlite") }

    @Test func theFourSamplesAreDetectedAndIngestedInOneRun() throws {
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--format", "json"] + Ingesting.samples.map(Fixtures.path))
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONParser.parse(result.stdout).objectValue)
        #expect(summary["records"] == .int(928))
        #expect(summary["appended"] == .int(912))
        #expect(summary["duplicates"] == .int(16))
        let sources = try #require(summary["sources"]?.objectValue)
        #expect(sources["nanomdm"]?["appended"] == .int(126))
        #expect(sources["graph"]?["appended"] == .int(3))
        #expect(sources["access-log"]?["appended"] == .int(81))
        let verify = try CommandLineTool.run(["verify", "--store", store, "--format", "json"])
        #expect(verify.stdout.contains("\"events\":912"))
    }

    @Test func standardInputTakesANamedFormat() throws {
        let page = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("graph-troubleshooting.json")))
        let result = try CommandLineTool.run(["ingest", "--store", store, "--from", "graph", "-"], stdin: page)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("graph: 3 records: 3 appended"))
    }

    @Test func theWrongFormatIsRefusedLineByLine() throws {
        let result = try CommandLineTool.run([
            "ingest", "--store", store, "--from", "nanomdm", Fixtures.path("discovery-access.log"),
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("81 bad records; nothing was stored"))
        #expect(result.stderr.contains("discovery-access.log:1: invalid JSON at byte 6"))
    }

    @Test func theAttemptParameterOptionNamesTheURLParameter() throws {
        let line = try #require(Fixtures.lines("nanomdm-webhook.ndjson").first)
            .replacingOccurrences(of: #""attempt":"#, with: #""ue":"#)
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--attempt-parameter", "ue", "-"], stdin: Data((line + "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(export.stdout.contains(#""attempt_id":"UE-0eabbd433ea5""#))
    }
}
