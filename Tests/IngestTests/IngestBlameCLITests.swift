import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// An ingest that fails says whose fault it was (a bad record, the disk, the tool) and exactly what was
/// committed.
struct IngestBlameCLITests {
    let directory = TemporaryDirectory()

    /// `count` good native lines with a bad one at line `bad` (1-based).
    func input(count: Int, bad: Int) throws -> String {
        var lines = EventFactory.ndjsonLines(count: count, streams: 10, tag: "blame")
        lines[bad - 1] = #"{"event_id":"not-a-uuid"}"#
        let path = directory.path("input-\(count)-\(bad).ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aStrictIngestSaysWhatEarlierBatchesCommitted() throws {
        let store = directory.path("batches.sqlite")
        let path = try input(count: 50, bad: 25)
        let result = try CommandLineTool.run(["ingest", "--store", store, "--commit-every", "10", path])
        #expect(result.status == 2)
        #expect(
            result.stderr.hasPrefix(
                "1 bad record; the batches committed before it stay stored (20 records: 20 appended, 0 duplicates); "
                    + "nothing after them was stored:\n  \(path):25: "), "\(result.stderr)")
        let stored = try CommandLineTool.run(["tail", "--store", store])
        #expect(stored.stdout.split(separator: "\n").count == 20)
    }

    @Test func aStrictIngestWithoutBatchesSaysNothingWasStored() throws {
        let store = directory.path("strict.sqlite")
        let path = try input(count: 30, bad: 7)
        let result = try CommandLineTool.run(["ingest", "--store", store, path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("1 bad record; nothing was stored:\n  \(path):7: "), "\(result.stderr)")
    }

    @Test func aRejectFileThatCannotBeWrittenIsBlamedNotTheInput() throws {
        let store = directory.path("rejects.sqlite")
        let path = try input(count: 30, bad: 7)
        let result = try CommandLineTool.run(["ingest", "--store", store, "--reject-file", "/dev/full", path])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr == "error: cannot write to /dev/full: No space left on device\n")
        #expect(!result.stderr.contains(path), "the input is not blamed")
    }

    @Test func aFailedStrictIngestPrintsItsJSONSummaryWithTheErrors() throws {
        let store = directory.path("json.sqlite")
        let path = try input(count: 30, bad: 7)
        let result = try CommandLineTool.run(["ingest", "--store", store, "--format", "json", path])
        #expect(result.status == 2)
        let summary = try #require(try JSONParser.parse(result.stdout).objectValue)
        #expect(summary["committed"] == .bool(false))
        #expect(summary["appended"] == .int(0))
        #expect(summary["rejected"] == .int(1))
        guard case .array(let errors) = summary["errors"] else {
            Issue.record("no errors array: \(result.stdout)")
            return
        }
        #expect(errors.count == 1)
        #expect(errors.first?.objectValue?["line"] == .int(7))
        #expect(errors.first?.objectValue?["file"] == .string(path))
    }

    @Test func aFailedFirstIngestLeavesNoEmptyStoreBehind() throws {
        let store = directory.path("first.sqlite")
        let path = try input(count: 30, bad: 7)
        let failed = try CommandLineTool.run(["ingest", "--store", store, path])
        #expect(failed.status == 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter {
            $0.hasPrefix("first.sqlite")
        }
        #expect(left.isEmpty, "\(left)")
        // A store that existed before is kept, whatever happens.
        let good = directory.path("good.ndjson")
        try Data((EventFactory.ndjsonLines(count: 5, tag: "good").joined(separator: "\n") + "\n").utf8)
            .write(to: URL(fileURLWithPath: good))
        #expect(try CommandLineTool.run(["ingest", "--store", store, good]).status == 0)
        #expect(try CommandLineTool.run(["ingest", "--store", store, path]).status == 2)
        let tail = try CommandLineTool.run(["tail", "--store", store])
        #expect(tail.stdout.split(separator: "\n").count == 5)
    }
}
