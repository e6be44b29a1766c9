import Foundation
import TestSupport
import Testing

/// `wrk` (Debian's) loads the read API of a real `serve` while webhooks are ingested: no error, no
/// non-2xx answer, and the server's resident memory does not grow between two equal rounds.
struct ReadLoadTests {
    @Test(.timeLimit(.minutes(3)))
    func theReadAPIUnderLoadWhileIngestingAnswersEveryRequestInBoundedMemory() async throws {
        let samples = try SampleStoreFile()
        let directory = TemporaryDirectory()
        let script = directory.path("paths.lua")
        try Data(WrkLoad.readScript().utf8).write(to: URL(fileURLWithPath: script))
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
        async let ingest = WrkLoad.run(serve.baseURL, script: post, seconds: 8, connections: 4)
        var reports: [String] = []
        var resident: [Int] = []
        for _ in 0..<2 {
            reports.append(try await WrkLoad.run(serve.baseURL, script: script, seconds: 4, connections: 32))
            resident.append(try WrkLoad.residentKiB(serve.process.processIdentifier))
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
