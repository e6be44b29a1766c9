import EnrollmentDomain
import Foundation
import Service
import TestSupport
import Testing

struct MetricsEndpointTests {
    @Test func metricsCarryTheFleetGaugesOfStatsTheStalledCountAndTheServiceCounters() async throws {
        let samples = try SampleStoreFile()
        let stats = try samples.run(["stats", "--format", "prometheus"]).stdout
        let stalled = try samples.run(["devices", "--stalled-for", "1h", "--format", "ndjson"]).stdout
            .split(separator: "\n").count
        try await TestServer.with(storePath: samples.path) { server in
            _ = try await server.request(.GET, "/v1/stats")
            let body = Array(try Fixtures.lines("nanomdm-webhook.ndjson")[0].utf8)
            #expect(try await server.request(.POST, "/webhooks/mdm", headers: Headers.json, body: body).status == 200)
            let answer = try await server.request(.GET, "/metrics")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = answer.text
            for line in stats.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(text.contains(line + "\n"), "\(line)")
            }
            #expect(PrometheusText.value(of: "enroll_audit_stalled_enrollments", in: text) == Double(stalled))
            #expect(PrometheusText.value(of: #"enroll_audit_ingest_events_total{outcome="duplicate"}"#, in: text) == 1)
            #expect(
                PrometheusText.value(
                    of: #"enroll_audit_ingest_requests_total{endpoint="webhook",outcome="stored"}"#, in: text) == 1)
            #expect(PrometheusText.value(of: "enroll_audit_commits_total", in: text) == 1)
            #expect(
                text.contains(
                    #"enroll_audit_http_request_duration_seconds_count{route="/v1/stats",method="GET",status="200"} 1"#),
                "\(text.prefix(3000))")
        }
    }

    @Test func healthAndReadinessAnswerWithoutAToken() async throws {
        try await TestServer.with(configure: AccessTests.configureTokens) { server in
            let health = try await server.request(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(health["status"]?.stringValue == "ok")
            let ready = try await server.request(.GET, "/readyz")
            #expect(ready.status == 200)
            #expect(ready["status"]?.stringValue == "ready")
            #expect(ready.headers.first(name: "X-Request-Id")?.isEmpty == false)
            let unknown = try await server.request(.GET, "/nowhere")
            #expect(unknown.status == 404)
            #expect(unknown.headers.first(name: "Content-Type") == "application/problem+json")
        }
    }
}
