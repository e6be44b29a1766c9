import Foundation

/// Load from `wrk` (Debian's) on a real `serve`, and the memory of the process under it.
public enum WrkLoad {
    /// Requests of the read API on the sample store's enrollments.
    public static let samplePaths = [
        "/v1/timeline/UE-b12e67531613", "/v1/enrollments?limit=50", "/v1/stats", "/v1/enrollments/UE-0eabbd433ea5",
        "/v1/timeline/tom.rossi@fabrikam.com",
    ]

    /// A wrk script that GETs `paths` in turn, each connection pausing `pause` milliseconds after each
    /// answer (none when 0).
    public static func readScript(_ paths: [String] = samplePaths, pause: Int = 0) -> String {
        let list = paths.map { "\"\($0)\"" }.joined(separator: ", ")
        return pacing(pause) + """
            paths = { \(list) }
            counter = 0
            request = function()
              counter = counter + 1
              return wrk.format("GET", paths[(counter % #paths) + 1])
            end
            """
    }

    /// wrk's `delay` hook: each connection waits `pause` milliseconds after each answer (nothing when 0).
    public static func pacing(_ pause: Int) -> String {
        pause > 0 ? "delay = function() return \(pause) end\n" : ""
    }

    /// Runs `wrk -t1` for `seconds` on a thread of its own (not the test's task pool); returns its report.
    public static func run(_ baseURL: String, script: String, seconds: Int, connections: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
                        process.arguments = [
                            "-t1", "-c\(connections)", "-d\(seconds)s", "--timeout", "10s", "--latency", "-s", script,
                            baseURL,
                        ]
                        let output = Pipe()
                        process.standardOutput = output
                        try process.run()
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        guard process.terminationStatus == 0 else {
                            throw ServeProcessError(message: "wrk exited \(process.terminationStatus)")
                        }
                        return String(decoding: data, as: UTF8.self)
                    })
            }
        }
    }

    /// `N` of wrk's `N requests in …` line; 0 when the report has none.
    public static func requests(_ report: String) -> Int {
        let line = report.split(separator: "\n").first { $0.contains("requests in") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[0]) } ?? 0
    }

    /// The resident set size of a process, in KiB.
    public static func residentKiB(_ pid: Int32) throws -> Int { try status("VmRSS:", pid) }

    /// The peak resident set size of a process, in KiB.
    public static func peakResidentKiB(_ pid: Int32) throws -> Int { try status("VmHWM:", pid) }

    static func status(_ field: String, _ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
            let value = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw ServeProcessError(message: "no \(field) in /proc/\(pid)/status") }
        return value
    }
}
