import EnrollmentDomain
import Foundation
import GRDB
import TestSupport
import Testing

/// The torture suite: crashes, concurrency, bad input, tampering, full disks and permissions. Its scale
/// comes from `ENROLL_AUDIT_TORTURE`: `full` under `make torture`, a shortened run otherwise.
///
/// The scenarios run one after the other: they measure timings and share two cores with the build.
@Suite(.serialized) enum TortureTests {}

/// How hard the suite pushes.
enum TortureScale {
    /// Whether `ENROLL_AUDIT_TORTURE=full` asked for the full scale.
    static let isFull = ProcessInfo.processInfo.environment["ENROLL_AUDIT_TORTURE"] == "full"

    /// `short` in a shortened run, `full` under `make torture`.
    static func pick<T>(short: T, full: T) -> T { isFull ? full : short }

    /// A seed: `ENROLL_AUDIT_TORTURE_SEED` when set (to replay a failure), else a fixed one.
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["ENROLL_AUDIT_TORTURE_SEED"].flatMap { UInt64($0) } ?? 0x70_2026

    /// Prints one line of the suite's report (the numbers that go into docs/reliability.md).
    static func report(_ line: String) {
        print("torture: \(line)")
    }
}

/// A child `enroll-audit` process whose output goes to files (no pipes to drain).
final class Child: @unchecked Sendable {
    // @unchecked: `process` is only started and waited on; the paths are immutable.
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    /// Starts `enroll-audit ARGUMENTS`, or `PREFIX… enroll-audit ARGUMENTS` (e.g. `setpriv …`).
    init(
        _ arguments: [String], in directory: TemporaryDirectory, name: String, stdin: String? = nil,
        prefix: [String] = []
    ) throws {
        stdoutPath = directory.path("\(name).out")
        stderrPath = directory.path("\(name).err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        if prefix.isEmpty {
            process.executableURL = CommandLineTool.executable
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [CommandLineTool.executable.path] + arguments
        }
        var environment = ProcessInfo.processInfo.environment
        environment["ENROLL_AUDIT_STORE"] = nil
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = stdin.map { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits up to `seconds`; a child still running then is SIGKILLed and reported as hung (`nil`).
    func wait(deadline seconds: Double) -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { usleep(5_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    }

    /// Sends `signal` and reaps the child.
    func stop(_ signal: Int32 = SIGKILL) {
        kill(pid, signal)
        process.waitUntilExit()
    }

    var wasKilled: Bool { process.terminationReason == .uncaughtSignal }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

/// Raw reads of a store file, independent of the store's own code.
enum RawStore {
    /// A read-only connection to `path`.
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// How many events the file holds (0 when it does not exist yet or has no table yet).
    static func count(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        return try open(path).read { db in (try? Int.fetchOne(db, sql: "SELECT count(*) FROM events")) ?? 0 }
    }

    /// Every stored event id.
    static func eventIDs(_ path: String) throws -> [UUID] {
        try open(path).read { db in
            try Data.fetchAll(db, sql: "SELECT event_id FROM events ORDER BY position").map { data in
                data.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
            }
        }
    }

    /// The bytes of a file (empty when missing), to tell that nothing changed.
    static func bytes(_ path: String) -> Data {
        (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
    }
}

/// Native NDJSON inputs whose event ids the test knows.
struct NativeInput {
    let path: String
    let ids: [UUID]

    /// Writes `count` events tagged `tag` to `path` (every `batch` consecutive events share a tag suffix
    /// when `batch` is given: `TAG-b<n>`).
    init(path: String, count: Int, tag: String, streams: Int = 50, batch: Int? = nil) throws {
        self.path = path
        var ids: [UUID] = []
        var text = ""
        for index in 0..<count {
            let id = UUID()
            ids.append(id)
            let batchTag = batch.map { "\(tag)-b\(index / $0)" } ?? tag
            let time = Timestamp(milliseconds: 1_790_000_000_000 + Int64(index) * 1000).iso8601
            text += #"{"event_id":"\#(id.uuidString.lowercased())","stream":"UE-\#(tag)-\#(index % streams)","#
            text += #""type":"app.installed","occurred_at":"\#(time)","source":"intune","#
            text += #""user":"user\#(index % streams)@contoso.com","#
            text += #""data":{"bundle_id":"com.microsoft.Office.Outlook","name":"Outlook","tag":"\#(batchTag)"}}"#
            text += "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        self.ids = ids
    }
}

/// A value shared by test threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Runs `body` on `count` threads of their own (not the cooperative pool: they block on processes) and
/// waits for all of them.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.stackSize = 1 << 22
        thread.start()
    }
    group.wait()
}
