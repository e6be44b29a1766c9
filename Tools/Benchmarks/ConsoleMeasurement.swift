import Foundation

/// `enroll-audit-bench console`: the support console's pages end to end (HTTP, queries, templates) on
/// a real `serve` of the bench's main store, under `wrk`.
///
/// - p95 of the enrollment page, the stalled queue and the fleet dashboard, 4 connections;
/// - the baseline: p95 of the read API's JSON timeline of the same enrollment, in the same run;
/// - the enrollment page's weight without data: the HTML of an enrollment of one event, plus the style
///   sheet, the script and the icon it loads.
enum ConsoleMeasurement {
    static func run(cli: String, store: String, directory: String, seconds: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let serve = try ServeChild(cli: cli, store: store)
        defer { serve.stop() }
        let script = "\(directory)/p95.lua"
        try Data(p95Script.utf8).write(to: URL(fileURLWithPath: script))
        let id = try serve.firstEnrollment()
        var result: [String: Double] = [:]
        let pages = [
            ("enrollment", "/console/enrollments/\(id)"), ("queue", "/console/queues?view=stalled"),
            ("dashboard", "/console/dashboard"), ("api_timeline", "/v1/timeline/\(id)"),
        ]
        for (name, path) in pages {
            let load = try Wrk.run(url: serve.url + path, connections: 4, seconds: seconds, script: script)
            result["\(name)_p95_ms"] = load.p95
            result["\(name)_per_second"] = load.okPerSecond
            result["\(name)_errors"] = Double(load.errors)
        }
        // One enrollment of one event, then its page and what the page loads.
        let post = Process()
        post.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        post.arguments = [
            "--silent", "--fail", "-o", "/dev/null", "-H", "Content-Type: application/x-ndjson", "--data-binary",
            """
            {"event_id":"6f1c1a9e-5b8e-4c1f-9f00-0c0a50e0b001","stream":"UE-bench-weight","type":"discovery.succeeded",\
            "occurred_at":"2026-10-01T10:00:00Z","source":"bench","user":"weight@contoso.com",\
            "data":{"domain":"contoso.com","user_identifier":"weight@contoso.com"}}
            """, serve.url + "/v1/events",
        ]
        try post.run()
        post.waitUntilExit()
        var weight = 0
        for path in [
            "/console/enrollments/UE-bench-weight", "/console/console.css", "/console/console.js",
            "/console/favicon.svg",
        ] {
            weight += try serve.get(path).count
        }
        result["enrollment_page_weight_bytes"] = Double(weight)
        result["api_timeline_weight_bytes"] = Double(try serve.get("/v1/timeline/UE-bench-weight").count)
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        try FileHandle.standardOutput.write(contentsOf: data)
    }

    /// Prints the 95th percentile of the latencies, in milliseconds, as `p95_ms N` (wrk reports p50 to
    /// p99 but not p95).
    static let p95Script = """
        done = function(summary, latency, requests)
          io.write(string.format("p95_ms %.3f\\n", latency:percentile(95) / 1000))
        end
        """
}

extension Driver {
    /// The console rows of `make bench`: page render p95 on the main store, against the JSON API's
    /// timeline of the same enrollment; the enrollment page's weight.
    mutating func measureConsole(store: String, haveCLI: Bool) throws {
        guard haveCLI, FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            log("console: skipped (needs the CLI and wrk)")
            return
        }
        log("console pages under wrk × \(parameters.runs) (4 connections, the main store)")
        let values = try medians([
            "console", "--cli", parameters.cli, "--store", store, "--dir", "\(parameters.directory)/console",
        ])
        report.raw["console"] = values
        let baseline = values["api_timeline_p95_ms"] ?? 0
        for (key, page) in [
            ("enrollment", "the enrollment page"), ("queue", "the stalled queue"), ("dashboard", "the fleet dashboard"),
        ] {
            let value = values["\(key)_p95_ms"] ?? 0
            report.add(
                "Console: \(page), p95, 4 connections", value, unit: "ms",
                baseline: "GET /v1/timeline/{id} (JSON), p95", baseline, higherIsBetter: false, goal: "< 100 ms",
                met: value < 100)
        }
        let weight = values["enrollment_page_weight_bytes"] ?? 0
        report.add(
            "Console: enrollment page weight without data (HTML, CSS, script, icon)", weight / 1024, unit: "KB",
            baseline: "GET /v1/timeline/{id} (JSON) of it", (values["api_timeline_weight_bytes"] ?? 0) / 1024,
            higherIsBetter: false, goal: "< 100 KB",
            met: weight < 100 * 1024)
    }
}
