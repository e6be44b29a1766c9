import Foundation

/// `enroll-audit serve` started as a child process on a free loopback port, for tests that need the real
/// binary (signals, crashes, other programs scraping it).
///
/// ```swift
/// let serve = try ServeProcess(store: path)
/// defer { serve.kill() }
/// // … requests to serve.baseURL …
/// let status = try serve.terminate()   // SIGTERM, then the exit status
/// ```
public final class ServeProcess: @unchecked Sendable {
    // @unchecked: the process and pipes are set up in init and only read afterwards; stderr is collected
    // by one background reader under `lock`.
    public let process = Process()
    public let port: Int
    private let errorPipe = Pipe()
    private let errors = Collected()

    public let scheme: String
    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts `serve --store STORE --listen 127.0.0.1:0 ARGUMENTS` and waits (at most `timeout`) for it to
    /// print the port it listens on.
    public init(store: String, arguments: [String] = [], https: Bool = false, timeout: Duration = .seconds(30)) throws {
        scheme = https ? "https" : "http"
        process.executableURL = CommandLineTool.executable
        process.arguments = ["serve", "--store", store, "--listen", "127.0.0.1:0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ENROLL_AUDIT_STORE"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errorHandle = errorPipe.fileHandleForReading
        let collected = errors
        DispatchQueue.global().async {
            while true {
                let chunk = errorHandle.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
        }
        let handle = output.fileHandleForReading
        let found = Port()
        DispatchQueue.global().async {
            var seen = ""
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
                if let range = seen.range(of: "listening on http"),
                    let line = seen[range.lowerBound...].split(separator: "\n").first,
                    seen[range.lowerBound...].contains("\n"),
                    let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...])
                {
                    found.set(port)
                    break
                }
            }
            found.set(nil)
        }
        guard let port = found.wait(timeout: timeout) else {
            process.terminate()
            process.waitUntilExit()
            throw ServeProcessError(message: "serve did not start: \(collected.text)")
        }
        self.port = port
    }

    /// What the process wrote on stderr so far.
    public var standardError: String { errors.text }

    /// Sends SIGTERM and waits for the exit status.
    public func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGKILL (a crash) and waits for the process to end.
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }

    /// Bytes a reader thread appends while others read them.
    private final class Collected: @unchecked Sendable {
        // @unchecked: every access holds the lock.
        private var data = Data()
        private let lock = NSLock()

        func append(_ chunk: Data) { lock.withLock { data += chunk } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    /// The port, once announced (`nil`: the output ended first).
    private final class Port: @unchecked Sendable {
        // @unchecked: guarded by the semaphore's happens-before; set once.
        private var value: Int?
        private var isSet = false
        private let lock = NSLock()
        private let ready = DispatchSemaphore(value: 0)

        func set(_ port: Int?) {
            let first = lock.withLock {
                if isSet { return false }
                isSet = true
                value = port
                return true
            }
            if first { ready.signal() }
        }

        func wait(timeout: Duration) -> Int? {
            let seconds = Double(timeout.components.seconds)
            guard ready.wait(timeout: .now() + seconds) == .success else { return nil }
            return lock.withLock { value }
        }
    }
}

public struct ServeProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
