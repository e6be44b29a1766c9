import Foundation
import TestSupport
import Testing

/// `wrk` (Debian's) loads the read API of a real `serve` while webhooks are ingested: no error, no
/// non-2xx answer, and the server's resident memory does not grow between two equal rounds.
struct ReadLoadTests {
    /// The requests of the load, rotated by a wrk script.
    static let paths = [
        "/v1/timeline/UE-b12e67531613", "/v1/enrollments?limit=50", "/v1/stats", "/v1/enrollments/UE-0eabbd433ea5",
        "/v1/timeline/tom.rossi@fabrikam.com",
    ]

    /// Runs wrk for `seconds` on a thread of its own (not the test's task pool); returns its report.
    static func wrk(_ baseURL: String, script: String, seconds: Int, connections: Int = 32) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        try runWrk(baseURL, script: script, seconds: seconds, connections: connections)
                    })
            }
        }
    }

    static func runWrk(_ baseURL: String, script: String, seconds: Int, connections: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t1", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, baseURL]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    /// The resident set size of a process, in KiB.
    static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test(.timeLimit(.minutes(3)))
    func theReadAPIUnderLoadWhileIngestingAnswersEveryRequestInBoundedMemory() async throws {
        let samples = try SampleStoreFile()
        let directory = TemporaryDirectory()
        let script = directory.path("paths.lua")
        let list = Self.paths.map { "\"\($0)\"" }.joined(separator: ", ")
        try Data(
            """
            paths = { \(list) }
            counter = 0
            request = function()
              counter = counter + 1
              return wrk.format("GET", paths[(counter % #paths) + 1])
            end
            """.utf8
        ).write(to: URL(fileURLWithPath: script))
        let serve = try ServeProcess(store: samples.path)
        defer { serve.kill() }
        // The ingest: a second wrk posting the sample's webhooks, each with a fresh event id.
        let webhooks = directory.path("webhooks.ndjson")
        let bodies = try Fixtures.lines("nanomdm-webhook.ndjson").filter { !$0.isEmpty }
        let fresh = (0..<2_000).map { index in
            bodies[index % bodies.count].replacingOccurrences(
                of: #""event_id":"[^"]*""#, with: #""event_id":"\#(UUID().uuidString.lowercased())""#,
                options: .regularExpression)
        }
        try Data(fresh.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: webhooks))
        let post = directory.path("post.lua")
        try Data(
            """
            counter = 0
            init = function(args)
              bodies = {}
              for line in io.lines("\(webhooks)") do bodies[#bodies + 1] = line end
              wrk.method = "POST"
              wrk.headers["Content-Type"] = "application/json"
            end
            request = function()
              counter = counter + 1
              return wrk.format(nil, "/webhooks/mdm", nil, bodies[(counter % #bodies) + 1])
            end
            """.utf8
        ).write(to: URL(fileURLWithPath: post))
        async let ingest = Self.wrk(serve.baseURL, script: post, seconds: 8, connections: 4)
        var reports: [String] = []
        var resident: [Int] = []
        for _ in 0..<2 {
            reports.append(try await Self.wrk(serve.baseURL, script: script, seconds: 4))
            resident.append(try Self.residentKiB(serve.process.processIdentifier))
        }
        let ingested = try await ingest
        reports.append(ingested)
        let posted =
            Int(
                ingested.split(separator: "\n").first { $0.contains("requests in") }?
                    .split(separator: " ").first ?? "") ?? 0
        #expect(posted > 10, "\(ingested)")
        for report in reports {
            #expect(!report.contains("Non-2xx"), "\(report)")
            #expect(!report.contains("Socket errors"), "\(report)")
            #expect(report.contains("requests in"), "\(report)")
        }
        // Equal rounds: the second may not keep more memory than the first (caches are bounded).
        #expect(resident[1] - resident[0] < 16 * 1024, "RSS \(resident[0]) KiB then \(resident[1]) KiB")
        #expect(serve.terminate() == 0)
    }
}
