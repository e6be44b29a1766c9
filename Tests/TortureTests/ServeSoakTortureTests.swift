import Foundation
import TestSupport
import Testing

extension TortureTests {
    /// `enroll-audit serve` soaked by `wrk`: webhooks that are all new events (fresh event ids, enrollment
    /// ids and attempt ids from a counter, so the store keeps growing) and readers of the read API at once,
    /// ten minutes under `make torture`. The resident memory, sampled every 10 s, stays flat after the
    /// warm-up (the page caches, bounded by `--page-cache-mib`, fill in it), and no request fails.
    struct ServeSoak {
        static let seconds = TortureScale.pick(short: 30, full: 600)
        static let sampleEvery = TortureScale.pick(short: 3, full: 10)
        static let warmUp = TortureScale.pick(short: 12, full: 120)
        /// Growth allowed after the warm-up, in MiB. The short run's store is still smaller than the caches
        /// when its warm-up ends, so they may still fill (16 MiB for the writer, 4 MiB for each of 5 readers).
        static let allowedGrowthMiB = TortureScale.pick(short: 48, full: 24)
        /// Milliseconds each connection waits after an answer: the shortened run, beside the rest of the
        /// suite, offers a bounded load (about 400 webhooks and 400 reads a second); the full one none.
        static let pause = TortureScale.pick(short: 10, full: 0)

        static func pick(_ short: Int, _ full: Int) -> Int { TortureScale.pick(short: short, full: full) }

        /// Posts the sample's webhooks in turn; each request a new event of a new enrollment generation.
        static func postScript(webhooks: String) -> String {
            WrkLoad.pacing(pause) + """
                local index = 0
                function setup(thread)
                  thread:set("id", index)
                  index = index + 1
                end
                init = function(args)
                  bodies = {}
                  for line in io.lines("\(webhooks)") do bodies[#bodies + 1] = line end
                  counter = 0
                  wrk.method = "POST"
                  wrk.headers["Content-Type"] = "application/json"
                end
                request = function()
                  local body = bodies[(counter % #bodies) + 1]
                  local generation = string.format("%08x", (math.floor(counter / #bodies) % 4096) * 16 + tonumber(id))
                  local uid = string.format("%08x-0000-4000-8000-%012x", tonumber(id), counter)
                  counter = counter + 1
                  body = body:gsub('"event_id":"[^"]*"', '"event_id":"' .. uid .. '"', 1)
                  body = body:gsub('(' .. string.rep("%x", 32) .. ')' .. string.rep("%x", 8) .. '"', "%1" .. generation .. '"')
                  body = body:gsub('"UE%-(%x%x%x%x)%x%x%x%x%x%x%x%x"', '"UE-%1' .. generation .. '"')
                  return wrk.format(nil, "/webhooks/mdm", nil, body)
                end
                """
        }

        @Test(.timeLimit(.minutes(15)))
        func residentMemoryStaysFlatUnderWebhooksAndReadersAfterTheWarmUp() async throws {
            let samples = try SampleStoreFile()
            let directory = TemporaryDirectory()
            let webhooks = directory.path("webhooks.ndjson")
            let bodies = try Fixtures.lines("nanomdm-webhook.ndjson").filter { !$0.isEmpty }
            try Data(bodies.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: webhooks))
            let post = directory.path("post.lua")
            try Data(Self.postScript(webhooks: webhooks).utf8).write(to: URL(fileURLWithPath: post))
            let read = directory.path("read.lua")
            try Data(WrkLoad.readScript(pause: Self.pause * 2).utf8).write(to: URL(fileURLWithPath: read))

            let serve = try ServeProcess(store: samples.path, arguments: ["--page-cache-mib", "16"])
            defer { serve.kill() }
            let pid = serve.process.processIdentifier
            async let ingest = WrkLoad.run(
                serve.baseURL, script: post, seconds: Self.seconds, connections: Self.pick(4, 16))
            async let readers = WrkLoad.run(
                serve.baseURL, script: read, seconds: Self.seconds, connections: Self.pick(8, 32))
            var resident: [(seconds: Int, kib: Int)] = []
            for index in 1...(Self.seconds / Self.sampleEvery - 1) {
                try await Task.sleep(for: .seconds(Self.sampleEvery))
                resident.append((index * Self.sampleEvery, try WrkLoad.residentKiB(pid)))
            }
            let reports = [try await ingest, try await readers]
            let peak = try WrkLoad.peakResidentKiB(pid)
            let posted = WrkLoad.requests(reports[0])
            let reads = WrkLoad.requests(reports[1])
            for report in reports {
                #expect(!report.contains("Non-2xx"), "\(report)")
                #expect(!report.contains("Socket errors"), "\(report)")
            }
            #expect(posted > 100, "\(reports[0])")
            #expect(reads > 100, "\(reports[1])")
            let afterWarmUp = resident.filter { $0.seconds >= Self.warmUp }.map(\.kib)
            let start = try #require(afterWarmUp.first)
            let growth = (afterWarmUp.max() ?? start) - start
            TortureScale.report(
                "serve soak \(Self.seconds) s: \(posted) webhooks, \(reads) reads; RSS at \(Self.warmUp) s "
                    + "\(start / 1024) MiB, growth after it \(growth / 1024) MiB, peak \(peak / 1024) MiB; samples (s: MiB) "
                    + resident.map { "\($0.seconds): \($0.kib / 1024)" }.joined(separator: ", "))
            #expect(growth <= Self.allowedGrowthMiB * 1024, "RSS grew \(growth) KiB after the warm-up")
            #expect(serve.terminate() == 0)
        }
    }
}
