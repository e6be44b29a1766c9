import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// docs/grafana/: the alerting rules pass `promtool check rules` and evaluate without error in a real
/// Prometheus scraping a real `serve`; the dashboard queries only series that serve exposes.
struct AlertingRulesTests {
    static let rules = Fixtures.packageRoot.appendingPathComponent("docs/grafana/enroll-audit-alerts.yml").path
    static let dashboard = Fixtures.packageRoot.appendingPathComponent("docs/grafana/enroll-audit-dashboard.json")
        .path

    static func promtool(_ arguments: [String]) throws -> CommandLineTool.Result {
        try CommandLineTool.run(arguments, program: URL(fileURLWithPath: "/usr/bin/promtool"))
    }

    @Test func promtoolAcceptsTheRulesAndRefusesABrokenCopy() throws {
        let checked = try Self.promtool(["check", "rules", Self.rules])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("SUCCESS: 5 rules found"))
        let directory = TemporaryDirectory()
        let broken = directory.path("broken.yml")
        let text = try String(contentsOfFile: Self.rules, encoding: .utf8)
            .replacingOccurrences(
                of: "max(enroll_audit_stalled_enrollments) > 20", with: "max(enroll_audit_stalled_enrollments > 20")
        try Data(text.utf8).write(to: URL(fileURLWithPath: broken))
        let refused = try Self.promtool(["check", "rules", broken])
        #expect(refused.status != 0)
    }

    /// The metric names a PromQL expression reads (`enroll_audit_…`).
    static func metricNames(_ expression: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(expression)
        while let start = rest.range(of: "enroll_audit_") {
            let name = rest[start.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            names.insert(String(name))
            rest = rest[name.endIndex...]
        }
        return names
    }

    /// Every `expr` of the dashboard's panels.
    static func dashboardExpressions() throws -> [String] {
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dashboard))))
        let panels = json.objectValue?["panels"]?.arrayValue ?? []
        return panels.flatMap { panel in
            (panel.objectValue?["targets"]?.arrayValue ?? []).compactMap { $0.objectValue?["expr"]?.stringValue }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aRealPrometheusEvaluatesEveryRuleAndEveryDashboardQueryAgainstServe() async throws {
        let samples = try await offThePool { try SampleStoreFile() }
        let directory = TemporaryDirectory()
        let metricsToken = "alerting-metrics-token-2b7c9d1e4f"
        let ingestToken = "alerting-ingest-token-8a6b4c2d0e"
        let tokens = "\(metricsToken) metrics\n\(ingestToken) ingest\n"
        try Data(tokens.utf8).write(to: URL(fileURLWithPath: directory.path("tokens")))
        try Data("\(metricsToken)\n".utf8).write(to: URL(fileURLWithPath: directory.path("metrics.token")))
        let serve = try await offThePool {
            try ServeProcess(store: samples.path, arguments: ["--tokens", directory.path("tokens")])
        }
        defer { serve.kill() }
        // One batch through serve, so that its ingest and commit series exist.
        let batch = try await HTTPAnswer.send(
            .POST, serve.baseURL + "/v1/events", headers: Headers.ndjson + [Headers.bearer(ingestToken)],
            body: [
                NewEventLine.make(
                    stream: "UE-alerting-1", type: "discovery.succeeded", at: "2026-10-09T10:00:00Z",
                    user: "alert@contoso.com", data: ["domain": "contoso.com", "user_identifier": "alert@contoso.com"])
            ].ndjsonBody)
        #expect(batch.status == 200)
        let exposition = try await HTTPAnswer.send(
            .GET, serve.baseURL + "/metrics", headers: [Headers.bearer(metricsToken)]
        ).text
        let exposed = Set(
            exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
                String($0.prefix { $0 != "{" && $0 != " " })
            })
        let expressions = try Self.dashboardExpressions()
        #expect(expressions.count >= 10)
        // A counter of failed commits appears with the first failure (none here).
        let onFirstOccurrence: Set = ["enroll_audit_commit_failures_total"]
        for name in expressions.reduce(into: Set<String>(), { $0.formUnion(Self.metricNames($1)) })
        where !onFirstOccurrence.contains(name) {
            #expect(exposed.contains(name), "the dashboard reads \(name), which /metrics does not expose")
        }

        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ["\(Self.rules)"]
            scrape_configs:
              - job_name: enroll-audit
                authorization:
                  type: Bearer
                  credentials_file: \(directory.path("metrics.token"))
                static_configs:
                  - targets: ["127.0.0.1:\(serve.port)"]
            """
        let prometheus = try PrometheusServer(config: config, directory: directory)
        defer { prometheus.stop() }
        // Wait until every rule has been evaluated at least twice after the first scrape.
        let rules = try await PrometheusServer.waitFor { () -> [JSONValue]? in
            guard (await prometheus.query("up{job=\"enroll-audit\"}"))?.isEmpty == false else { return nil }
            let groups = await prometheus.get("/api/v1/rules")?.objectValue?["groups"]?.arrayValue ?? []
            let rules = groups.flatMap { $0.objectValue?["rules"]?.arrayValue ?? [] }
            let evaluated = rules.filter { $0.objectValue?["health"]?.stringValue != "unknown" }
            return rules.count == 5 && evaluated.count == 5 ? rules : nil
        }
        let loaded = try #require(rules, "Prometheus did not evaluate the rules in time")
        for rule in loaded {
            let members = rule.objectValue ?? [:]
            let name = members["name"]?.stringValue ?? "?"
            #expect(members["health"]?.stringValue == "ok", "\(name): \(members["lastError"]?.stringValue ?? "")")
        }
        // Evaluated for real: serve is scraped, so the down alert is inactive; the stalled gauge is there.
        func state(_ name: String) -> String? {
            loaded.first { $0.objectValue?["name"]?.stringValue == name }?.objectValue?["state"]?.stringValue
        }
        #expect(state("EnrollAuditDown") == "inactive")
        #expect(await prometheus.query("max(enroll_audit_stalled_enrollments)")?.count == 1)
        for expression in expressions {
            #expect(await prometheus.query(expression) != nil, "the dashboard query \(expression) failed")
        }
    }
}
