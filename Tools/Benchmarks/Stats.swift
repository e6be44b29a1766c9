import Foundation

/// Medians, percentiles and child processes.
enum Stats {
    /// The nearest-rank percentile (p in 0...100) of `values`; 0 when empty.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    struct ChildFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable` and parses the one JSON object of numbers it prints.
    static func child(_ executable: String, _ arguments: [String]) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw ChildFailure(
                description: "\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus))")
        }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    /// Runs a shell command line and returns its wall-clock time in seconds (process start included).
    static func timeShell(_ command: String) throws -> Double {
        try time("/bin/sh", ["-c", command])
    }

    /// Runs a program directly (no shell) with stdout discarded; its wall-clock time in seconds.
    ///
    /// `posix_spawn` and a blocking `waitpid`, not `Process`: Foundation's `waitUntilExit()` on Linux polls
    /// its run loop every 50 ms, which rounds every short run up to a multiple of ~50 ms.
    static func time(_ executable: String, _ arguments: [String]) throws -> Double {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ChildFailure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Exited normally with 0: the low 7 bits (the signal) and the exit code byte are all zero.
        guard status == 0 else {
            throw ChildFailure(
                description: "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        return seconds
    }

    /// CPU seconds (user + system) of every child process this one has waited for so far.
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The output of a shell command, trimmed ("" when it fails).
    static func shellOutput(_ command: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How many fsync/fdatasync calls a program makes (`strace -f -c`), or nil without strace.
    static func syncCalls(_ executable: String, _ arguments: [String], log: String) -> Double? {
        guard !shellOutput("command -v strace").isEmpty else { return nil }
        let command =
            (["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", log, executable] + arguments)
            .map(Report.shellQuoted).joined(separator: " ")
        guard (try? timeShell(command)) != nil,
            let text = try? String(contentsOfFile: log, encoding: .utf8),
            let total = text.split(separator: "\n").last(where: { $0.hasSuffix("total") })
        else { return nil }
        // "100.00    0.002906          50        58           total": the calls are the 4th column.
        let columns = total.split(separator: " ")
        return columns.count >= 5 ? Double(columns[3]) : nil
    }
}
