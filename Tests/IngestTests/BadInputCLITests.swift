import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Bad records of every format through `enroll-audit ingest`, strict and with `--reject-file`.
struct BadInputCLITests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("bad.sqlite") }

    /// A bad record planted in an input: where, and a part of the reason it must be given.
    struct Planted {
        var file: String
        var line: Int
        var reason: String
        /// The record's bytes, as the reject file must hold them.
        var raw: String
    }

    /// Writes one input per format with good and bad records; returns the paths and the bad records.
    func writeInputs() throws -> (paths: [String], planted: [Planted]) {
        var planted: [Planted] = []
        func write(_ name: String, _ lines: [String], bad: [Int: String], ending: String = "\n") throws -> String {
            let path = directory.path(name)
            try Data(lines.joined(separator: ending).utf8).write(to: URL(fileURLWithPath: path))
            for (index, reason) in bad {
                planted.append(Planted(file: path, line: index + 1, reason: reason, raw: lines[index]))
            }
            return path
        }
        let native = try Fixtures.lines("native.ndjson")
        let missingID = native[3].replacingOccurrences(of: #""event_id":"#, with: #""id":"#)
        let nativePath = try write(
            "native.ndjson",
            [native[0], String(native[1].prefix(60)), "", native[2], missingID, native[4] + "\r"],
            bad: [1: "invalid JSON", 4: "field 'id' is not an event field"], ending: "\r\n")

        let webhook = try Fixtures.lines("nanomdm-webhook.ndjson")
        let topic = webhook[1].replacingOccurrences(of: "mdm.TokenUpdate", with: "mdm.Foo")
        let base64 = webhook[2].replacingOccurrences(of: #""raw_payload":"PD94"#, with: #""raw_payload":"!!!"#)
        let plist = webhook[3].replacingOccurrences(of: #""raw_payload":"PD94"#, with: #""raw_payload":"AAAA"#)
        let tally = webhook[3].replacingOccurrences(of: #""token_update_tally":1"#, with: #""token_update_tally":true"#)
        let nanomdmPath = try write(
            "webhook.ndjson", [webhook[0], topic, base64, plist, tally, webhook[5]],
            bad: [
                1: "topic 'mdm.Foo' is not a known webhook topic", 2: "checkin_event.raw_payload is not valid base64",
                3: "checkin_event.raw_payload is not a valid property list",
                4: "checkin_event.token_update_tally must be an integer, not boolean",
            ])

        let graphPath = try write(
            "graph.json", ["{", #"  "@odata.context": "x","#, #"  "values": []"#, "}"], bad: [0: "value is missing"])

        // Noise (a line of no format, a discovery request without user-identifier) is skipped; a line that
        // names the discovery path but breaks the format is bad.
        let log = try Fixtures.lines("discovery-access.log")
        let noUser = log[1].replacingOccurrences(of: "user-identifier=", with: "user=")
        let nonUTF8 = log[2].replacingOccurrences(of: "fabrikam.com&", with: "fabrikam.com\u{FFFD}&")
        let truncated = String(log[4].prefix(while: { $0 != "\"" })) + String(log[4].split(separator: "\"")[1])
        let logPath = try write(
            "access.log", [log[0], "this is not a log line", noUser, log[3], nonUTF8, truncated],
            bad: [5: "not a line of the discovery log format: expected `] \"` after $time_local"])
        // Replace the marker with a byte that is not UTF-8.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: logPath))
        let marker = Data("\u{FFFD}".utf8)
        let range = try #require(bytes.range(of: marker))
        bytes.replaceSubrange(range, with: [0xFF])
        try bytes.write(to: URL(fileURLWithPath: logPath))
        planted.append(Planted(file: logPath, line: 5, reason: "field $request is not valid UTF-8", raw: ""))
        return ([nativePath, nanomdmPath, graphPath, logPath], planted)
    }

    @Test func aStrictIngestStoresNothingAndListsEveryBadRecord() throws {
        let (paths, planted) = try writeInputs()
        let result = try CommandLineTool.run(["ingest", "--store", store] + paths)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(planted.count) bad records; nothing was stored"))
        for bad in planted {
            #expect(result.stderr.contains("\(bad.file):\(bad.line): "), "\(bad.file):\(bad.line)")
            let line = result.stderr.split(separator: "\n").first { $0.contains("\(bad.file):\(bad.line): ") }
            #expect(line?.contains(bad.reason) == true, "\(line ?? "") should say \(bad.reason)")
        }
        // It was the store's first ingest: no empty store is left behind.
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func aRejectFileTakesTheBadRecordsVerbatimAndTheCountsAddUp() throws {
        let (paths, planted) = try writeInputs()
        let rejects = directory.path("rejects.txt")
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--reject-file", rejects, "--format", "json"] + paths)
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(planted.count) record(s) rejected, written to \(rejects)"))
        let summary = try #require(try JSONParser.parse(result.stdout).objectValue)
        let sources = try #require(summary["sources"]?.objectValue)
        var total = 0
        for (source, counts) in sources {
            let value = { (key: String) in Int(counts[key]?.intValue ?? -1) }
            #expect(
                value("records") == value("appended") + value("duplicates") + value("rejected") + value("skipped"),
                "\(source)")
            total += value("rejected")
        }
        #expect(total == planted.count)
        #expect(sources["native"]?["appended"] == .int(3))
        #expect(sources["native"]?["skipped"] == .int(1))
        #expect(sources["nanomdm"]?["appended"] == .int(2))
        #expect(sources["access-log"]?["appended"] == .int(2))
        #expect(sources["access-log"]?["skipped"] == .int(2))
        let skips = try #require(sources["access-log"]?["skipped_by_reason"]?.objectValue)
        #expect(skips["not a line of the log format"]?["first"] == .array([.string(paths[3] + ":2")]))
        #expect(skips["discovery request without user-identifier"]?["count"] == .int(1))
        #expect(summary["appended"] == .int(7))

        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: rejects)), as: UTF8.self)
        for bad in planted {
            #expect(text.contains("# \(bad.file):\(bad.line): "), "\(bad.file):\(bad.line)")
            if !bad.raw.isEmpty {
                #expect(text.contains("\n\(bad.raw.trimmingCharacters(in: ["\r"]))\n"), "\(bad.file):\(bad.line)")
            }
        }
        let verify = try CommandLineTool.run(["verify", "--store", store, "--format", "json"])
        #expect(verify.stdout.contains("\"events\":7"))
    }

    @Test func aFiveMegabyteLineIsAcceptedAndALineOverTheLimitRefused() throws {
        let big = String(repeating: "x", count: 5 << 20)
        let good =
            #"{"event_id":"\#(UUID())","stream":"UE-big","type":"app.installed","occurred_at":"2026-10-01T16:35:20Z","source":"test","data":{"bundle_id":"b","blob":"\#(big)"}}"#
        let tooLong =
            #"{"event_id":"\#(UUID())","stream":"UE-big","type":"app.installed","occurred_at":"2026-10-01T16:35:20Z","source":"test","data":{"bundle_id":"b","blob":"\#(big + big)"}}"#
        let input = directory.path("big.ndjson")
        try Data((good + "\n" + tooLong + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let rejects = directory.path("big-rejects.txt")
        let result = try CommandLineTool.run(["ingest", "--store", store, "--reject-file", rejects, input])
        #expect(result.status == 2)
        #expect(result.stdout.contains("1 appended"))
        let reject = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(
            reject.hasPrefix(
                "# \(input):2: line is \(tooLong.utf8.count) bytes, longer than the limit of 8388608 bytes"))
        #expect(reject.utf8.count < 4096)
    }
}

/// Lines far over the limit are skipped to their end without being held in memory.
struct LineLimitMemoryTests {
    let directory = TemporaryDirectory()

    /// Streams a 96 MiB line through standard input and reads the child's peak resident memory
    /// (`VmHWM`, which starts afresh at exec) while it waits for more input.
    @Test(.timeLimit(.minutes(5)))
    func aHugeLineWithoutNewlinesDoesNotBalloonMemory() throws {
        let rejects = directory.path("rejects.txt")
        let process = Process()
        process.executableURL = CommandLineTool.executable
        process.arguments = [
            "ingest", "--store", directory.path("huge.sqlite"), "--from", "access-log", "--reject-file", rejects, "-",
        ]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<96 { try input.fileHandleForWriting.write(contentsOf: chunk) }
        try input.fileHandleForWriting.write(contentsOf: Data("\n".utf8))
        var peakKiB: Int?
        for _ in 0..<500 where peakKiB == nil {
            if let text = try? String(contentsOfFile: rejects, encoding: .utf8), text.hasSuffix("\n") {
                let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
                let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
                peakKiB = line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
            } else {
                usleep(20_000)
            }
        }
        try input.fileHandleForWriting.write(contentsOf: Data((AccessLogDecoderTests.line + "\n").utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(text.hasPrefix("# -:1: line is \(96 << 20) bytes, longer than the limit of 8388608 bytes"))
        // The line is 96 MiB; the reader never holds more than the limit plus one read chunk.
        let peak = try #require(peakKiB)
        #expect(peak < 64 << 10, "peak resident memory \(peak) KiB")
        print("ingest of a 96 MiB line: peak resident memory \(peak) KiB")
    }
}
