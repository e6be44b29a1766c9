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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard process.terminationStatus == 0 else {
            throw ChildFailure(description: "`\(command)` failed (\(process.terminationStatus))")
        }
        return seconds
    }

    /// Runs a program directly (no shell) with stdout discarded; its wall-clock time in seconds.
    static func time(_ executable: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard process.terminationStatus == 0 else {
            throw ChildFailure(
                description: "\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus))")
        }
        return seconds
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
