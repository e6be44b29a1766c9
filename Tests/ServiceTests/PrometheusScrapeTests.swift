import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// A real Prometheus server (Debian's `prometheus`) scrapes `serve` with the scrape configuration of
/// docs/serve.md and a metrics token; its query API returns the fleet gauges `stats` reports.
struct PrometheusScrapeTests {
    @Test(.timeLimit(.minutes(3)))
    func prometheusScrapesTheFleetGaugesThatStatsReports() async throws {
        let samples = try SampleStoreFile()
        let stats = try JSONParser.parse(Array(try samples.run(["stats", "--format", "json"]).stdoutData))
        let stalled = try samples.run(["devices", "--stalled-for", "1h", "--format", "ndjson"]).stdout
            .split(separator: "\n").count
        let directory = TemporaryDirectory()
        let token = "metrics-scraper-token-5f1e2d3c4b5a"
        try Data("\(token) metrics\n".utf8).write(to: URL(fileURLWithPath: directory.path("tokens")))
        try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: directory.path("metrics.token")))
        let serve = try ServeProcess(store: samples.path, arguments: ["--tokens", directory.path("tokens")])
        defer { serve.kill() }

        let prometheusPort = try LoopbackPort.free()
        let config = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: enroll-audit
                metrics_path: /metrics
                authorization:
                  type: Bearer
                  credentials_file: \(directory.path("metrics.token"))
                static_configs:
                  - targets: ["127.0.0.1:\(serve.port)"]
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.path("prometheus.yml")))
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prometheus.arguments = [
            "--config.file=\(directory.path("prometheus.yml"))", "--storage.tsdb.path=\(directory.path("tsdb"))",
            "--web.listen-address=127.0.0.1:\(prometheusPort)",
        ]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle.nullDevice
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        let api = "http://127.0.0.1:\(prometheusPort)/api/v1/query?query="

        /// The value of each series of `query`, keyed by the value of `label` (or "" without one).
        func query(_ query: String, by label: String? = nil) async throws -> [String: Double] {
            let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
            guard let answer = try? await HTTPAnswer.send(.GET, api + encoded, timeout: .seconds(5)),
                let results = answer.json?.objectValue?["data"]?.objectValue?["result"]?.arrayValue
            else { return [:] }
            var values: [String: Double] = [:]
            for result in results {
                let metric = result.objectValue?["metric"]?.objectValue ?? [:]
                let key = label.flatMap { metric[$0]?.stringValue } ?? ""
                if let value = result.objectValue?["value"]?.arrayValue?.last?.stringValue.flatMap(Double.init) {
                    values[key] = value
                }
            }
            return values
        }
        var enrollments: [String: Double] = [:]
        let deadline = ContinuousClock.now + .seconds(90)
        while enrollments.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            enrollments = try await query("enroll_audit_enrollments")
        }
        let members = try #require(stats.objectValue)
        #expect(enrollments[""] == members["enrollments"]?.intValue.map(Double.init))
        let states = try await query("enroll_audit_enrollments_by_state", by: "state")
        for (state, count) in try #require(members["states"]?.objectValue) {
            #expect(states[state] == count.intValue.map(Double.init), "state \(state)")
        }
        let failures = try await query("sum by (reason) (enroll_audit_failures)", by: "reason")
        for (reason, count) in try #require(members["failures"]?.objectValue) {
            #expect(failures[reason] == count.intValue.map(Double.init), "reason \(reason)")
        }
        #expect(try await query("enroll_audit_stalled_enrollments")[""] == Double(stalled))
        #expect(try await query("up{job=\"enroll-audit\"}")[""] == 1)
    }
}
