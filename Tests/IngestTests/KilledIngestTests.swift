import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Ingest
import TestSupport
import Testing

/// `enroll-audit ingest` SIGKILLed mid-way: a strict ingest leaves nothing; with `--commit-every` whole
/// batches stay, and running the same ingest again completes it without duplicates.
struct KilledIngestTests {
    let directory = TemporaryDirectory()
    static let lineCount = 20_000

    /// A large access log of distinct discovery requests (about 5 s to ingest in a debug build).
    func writeLargeLog() throws -> String {
        let path = directory.path("large.log")
        let start = try #require(Timestamp(iso8601: "2026-10-01T00:00:00Z"))
        var text = ""
        text.reserveCapacity(Self.lineCount * 200)
        for index in 0..<Self.lineCount {
            let time = Timestamp(milliseconds: start.milliseconds + Int64(index) * 1000)
            text += "203.0.113.\(index % 250) - - [\(Self.logTime(time))] "
            text += "\"GET /.well-known/com.apple.remotemanagement?user-identifier=user\(index)@contoso.com"
            text += "&model-family=iPhone HTTP/1.1\" 200 171 \"-\" \"-\" \"application/json\" contoso.com\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `01/Oct/2026:19:06:12 +0000`.
    static func logTime(_ time: Timestamp) -> String {
        let iso = time.iso8601  // 2026-10-01T19:06:12.000Z
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = iso.prefix(10).split(separator: "-")
        return "\(parts[2])/\(months[Int(parts[1])! - 1])/\(parts[0]):\(iso.dropFirst(11).prefix(8)) +0000"
    }

    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CommandLineTool.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func storedCount(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        return try DatabaseQueue(path: path).read { db in
            (try? Int.fetchOne(db, sql: "SELECT count(*) FROM events")) ?? 0
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aKilledStrictIngestLeavesNothing() throws {
        let input = try writeLargeLog()
        let store = directory.path("strict.sqlite")
        // Calibrated, not a fixed sleep: a whole ingest of the same input is timed first, then the ingest
        // under test is killed halfway through that time (tried again, on a fresh store, if it ended first).
        let started = Date()
        #expect(
            try CommandLineTool.run(["ingest", "--store", directory.path("calibration.sqlite"), input]).status == 0)
        let whole = Date().timeIntervalSince(started)
        var process = try start(["ingest", "--store", store, input])
        for _ in 0..<5 {
            usleep(UInt32(whole * 500_000))
            guard !process.isRunning else { break }
            process.waitUntilExit()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            process = try start(["ingest", "--store", store, input])
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the ingest finished before it could be killed")
        let reopened = try SQLiteEventStore(path: store)
        let report = try reopened.verify()
        #expect(report.ok)
        #expect(report.events == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func aKilledBatchedIngestKeepsWholeBatchesAndARerunCompletesIt() throws {
        let input = try writeLargeLog()
        let store = directory.path("batched.sqlite")
        let arguments = ["ingest", "--store", store, "--commit-every", "1000", "--format", "json", input]
        let process = try start(arguments)
        var seen = 0
        for _ in 0..<2_000 where seen < 3_000 && process.isRunning {
            usleep(10_000)
            seen = (try? storedCount(store)) ?? 0
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the ingest finished before it could be killed")
        let kept = try storedCount(store)
        #expect(kept >= 3_000 && kept < Self.lineCount)
        #expect(kept % 1000 == 0, "\(kept) events: a partial batch")
        #expect(try SQLiteEventStore(path: store).verify().ok)

        let rerun = try CommandLineTool.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let summary = try #require(try JSONParser.parse(rerun.stdout).objectValue)
        #expect(summary["appended"] == .int(Int64(Self.lineCount - kept)))
        #expect(summary["duplicates"] == .int(Int64(kept)))
        let final = try SQLiteEventStore(path: store)
        #expect(try final.verify().ok)
        let expected = Set(
            Ingesting.decode(try String(contentsOfFile: input, encoding: .utf8), with: AccessLogDecoder())
                .flatMap(\.events).map(\.eventID))
        #expect(expected.count == Self.lineCount)
        #expect(Set(try Ingesting.storedSet(final).keys) == expected)
    }
}
