import CSV
import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `export`, `verify --file` and `tail` through the built binary.
struct CLIExportTests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("export.sqlite") }

    init() throws {
        let result = try CommandLineTool.run(["ingest", "--store", store, Fixtures.path("native.ndjson")])
        #expect(result.status == 0)
    }

    @Test func csvIsRFC4180AndReadsBackWithAnIndependentParser() throws {
        let result = try CommandLineTool.run(["export", "--store", store, "--format", "csv"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\r\n"))
        let reader = try CSVReader(string: result.stdout, hasHeaderRow: true)
        #expect(reader.headerRow?.first == "position")
        var rows = 0
        while let row = reader.next() {
            rows += 1
            #expect(row.count == 13)
            let data = try JSONParser.parse(row[12])
            #expect(data.objectValue != nil, "the data column holds the JSON, quotes and commas intact")
            #expect(Int(row[0]) == rows)
        }
        #expect(rows == 702)
    }

    @Test func jsonIsOneArrayAndFiltersApply() throws {
        let result = try CommandLineTool.run(
            ["export", "--store", store, "--format", "json", "--type", "jit.failed", "--since", "2026-10-07"])
        #expect(result.status == 0)
        guard case .array(let events) = try JSONParser.parse(result.stdout) else {
            Issue.record("not an array")
            return
        }
        #expect(!events.isEmpty)
        for event in events {
            #expect(event["type"] == .string("jit.failed"))
            #expect((event["occurred_at"]?.stringValue ?? "") >= "2026-10-07")
        }
    }

    @Test func anLZ4ExportDecompressesWithTheRealLZ4ToolAndVerifiesOffline() throws {
        let compressed = directory.path("events.ndjson.lz4")
        let export = try CommandLineTool.run(["export", "--store", store, "--lz4", "-o", compressed])
        #expect(export.status == 0)
        #expect(export.stdout.isEmpty)
        let plain = directory.path("events.ndjson")
        let lz4 = Process()
        lz4.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
        lz4.arguments = ["-d", "-q", compressed, plain]
        try lz4.run()
        lz4.waitUntilExit()
        #expect(lz4.terminationStatus == 0)
        let lines = try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 702)

        let digest = try CommandLineTool.run(["verify", "--store", store, "--format", "json"])
        let head = try #require(try JSONParser.parse(digest.stdout)["head_hash"]?.stringValue)
        for file in [compressed, plain] {
            let verify = try CommandLineTool.run(["verify", "--file", file, "--expect-digest", head])
            #expect(verify.status == 0, "\(verify.stdout)")
            #expect(verify.stdout.contains(head))
        }
    }

    @Test func aTamperedExportFailsVerificationAtTheChangedLine() throws {
        let export = try CommandLineTool.run(["export", "--store", store])
        var lines = export.stdout.split(separator: "\n").map(String.init)
        lines[99] = lines[99].replacingOccurrences(of: "\"source\":\"", with: "\"source\":\"x")
        let file = directory.path("tampered.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let verify = try CommandLineTool.run(["verify", "--file", file, "--format", "json"])
        #expect(verify.status == 4)
        let report = try JSONParser.parse(verify.stdout)
        #expect(report["first_bad_position"] == .int(100))
        #expect(report["ok"] == .bool(false))
    }

    @Test func anExportReingestsIntoANewStoreWithTheSameEvents() throws {
        let export = try CommandLineTool.run(["export", "--store", store])
        let copy = directory.path("copy.sqlite")
        #expect(try CommandLineTool.run(["ingest", "--store", copy, "-"], stdin: export.stdoutData).status == 0)
        let again = try CommandLineTool.run(["export", "--store", copy])
        func ids(_ text: String) throws -> [JSONValue?] {
            try text.split(separator: "\n").map { try JSONParser.parse(String($0))["event_id"] }
        }
        #expect(try ids(again.stdout) == ids(export.stdout))
    }

    @Test(.timeLimit(.minutes(5)))
    func tailFollowPrintsEventsAppendedByAnotherProcessOnceEachInOrder() throws {
        let process = Process()
        process.executableURL = CommandLineTool.executable
        process.arguments = ["tail", "--store", store, "--after", "700", "--follow"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let collected = LockedData()
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
        }
        func eventIDs() -> [String] {
            collected.text.split(separator: "\n").compactMap {
                try? JSONParser.parse(String($0))["event_id"]?.stringValue
            }
        }
        func waitFor(_ count: Int) {
            let deadline = Date().addingTimeInterval(20)
            while eventIDs().count < count && Date() < deadline { usleep(20_000) }
        }
        waitFor(2)
        #expect(eventIDs().count == 2, "the two events after position 700")
        var expected: [String] = []
        for index in 0..<5 {
            let id = UUID().lowercasedString
            expected.append(id)
            let event =
                #"{"event_id":"\#(id)","stream":"UE-tail","type":"app.installed","occurred_at":"2026-10-01T16:35:2\#(index)Z","source":"test","data":{"bundle_id":"x"}}"#
            let append = try CommandLineTool.run(["append", "--store", store, event])
            #expect(append.status == 0, "\(append.stderr)")
        }
        waitFor(7)
        let seen = eventIDs()
        #expect(seen.count == 7)
        #expect(Array(seen.suffix(5)) == expected)
    }
}

/// Bytes collected from a pipe's handler thread.
final class LockedData: @unchecked Sendable {
    // @unchecked: every access to `data` holds `lock`.
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) {
        lock.lock()
        data.append(more)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
