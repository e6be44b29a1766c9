import Foundation

/// Runs the built `enroll-audit` binary as a user would, capturing stdout, stderr and the exit status.
public enum CommandLineTool {
    /// What one run produced.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var stdoutData: Data
    }

    /// The binary: `$ENROLL_AUDIT_BIN`, else `enroll-audit` next to the test bundle.
    public static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["ENROLL_AUDIT_BIN"] { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Fixtures.packageRoot.appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent("enroll-audit")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/enroll-audit")
    }

    /// Runs `enroll-audit ARGUMENTS` with `stdin` as standard input and waits for it.
    ///
    /// - Parameters:
    ///   - arguments: the command line after the program name.
    ///   - stdin: bytes for standard input (empty: an empty input).
    ///   - environment: extra environment variables.
    ///   - program: the executable to run (`enroll-audit` unless given).
    @discardableResult
    public static func run(
        _ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:],
        currentDirectory: URL? = nil, program: URL? = nil
    ) throws -> Result {
        try launch(
            program ?? executable, arguments, stdin: stdin, environment: environment, currentDirectory: currentDirectory
        )
    }

    /// Runs `script` with `/bin/bash -c` (and `pipefail`), the binary's path in `$BIN`: for redirections a
    /// pipe cannot give (`> /dev/full`, `| head`, `umask`).
    @discardableResult
    public static func runInShell(_ script: String, environment: [String: String] = [:]) throws -> Result {
        try launch(
            URL(fileURLWithPath: "/bin/bash"), ["-c", "set -o pipefail; " + script], stdin: Data(),
            environment: environment.merging(["BIN": executable.path]) { $1 }, currentDirectory: nil)
    }

    private static func launch(
        _ program: URL, _ arguments: [String], stdin: Data, environment: [String: String], currentDirectory: URL?
    ) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ENROLL_AUDIT_STORE"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Drain both pipes concurrently so a large output cannot block the child.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if !stdin.isEmpty { try? input.fileHandleForWriting.write(contentsOf: stdin) }
        try? input.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self), stdoutData: outputData)
    }
}

/// Runs a Python program of the repository with the tests' virtual environment (`.build/venv`, made by
/// `Tools/setup` from `Tools/python-requirements.txt`), from the package root.
public enum PythonTool {
    public static var interpreter: URL { Fixtures.packageRoot.appendingPathComponent(".build/venv/bin/python") }

    /// Runs `python ARGUMENTS` (the first one usually a script under `Tools/`).
    @discardableResult
    public static func run(_ arguments: [String], stdin: Data = Data()) throws -> CommandLineTool.Result {
        try CommandLineTool.run(
            arguments, stdin: stdin, currentDirectory: Fixtures.packageRoot, program: interpreter)
    }
}
