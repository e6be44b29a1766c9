import CoreMetrics
import Foundation
import Prometheus

/// The service's own metrics, through swift-metrics into a Prometheus registry of this service (no global
/// bootstrap, so several services in one process keep apart): request latency, ingest counters, commits.
public final class ServiceMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    static let requestDuration = "enroll_audit_http_request_duration_seconds"
    static let commitDuration = "enroll_audit_commit_duration_seconds"
    static let commitRequests = "enroll_audit_commit_requests"

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencies: [Duration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.durationHistogramBuckets = [Self.requestDuration: latencies, Self.commitDuration: latencies]
        factory.valueHistogramBuckets = [Self.commitRequests: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]]
        self.factory = factory
    }

    /// Records one answered request: its route template (never the raw path, which may hold a UPN),
    /// method and status.
    public func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        CoreMetrics.Timer(
            label: Self.requestDuration,
            dimensions: [("route", route), ("method", method), ("status", String(status))],
            factory: factory
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// Counts what an ingest request did, by endpoint.
    public func recordIngest(endpoint: String, outcome: String, appended: Int, duplicates: Int, rejected: Int) {
        Counter(
            label: "enroll_audit_ingest_requests_total", dimensions: [("endpoint", endpoint), ("outcome", outcome)],
            factory: factory
        )
        .increment()
        for (kind, count) in [("appended", appended), ("duplicate", duplicates), ("rejected", rejected)] where count > 0
        {
            Counter(label: "enroll_audit_ingest_events_total", dimensions: [("outcome", kind)], factory: factory)
                .increment(by: count)
        }
    }

    /// Counts one committed transaction and how many requests it carried.
    func recordCommit(requests: Int, duration: Duration) {
        Counter(label: "enroll_audit_commits_total", factory: factory).increment()
        Recorder(label: Self.commitRequests, factory: factory).record(requests)
        CoreMetrics.Timer(label: Self.commitDuration, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// Counts one transaction that failed (all its requests were answered 503).
    func recordCommitFailure() {
        Counter(label: "enroll_audit_commit_failures_total", factory: factory).increment()
    }

    /// The text exposition of the service's metrics.
    public func exposition() -> String { registry.emitToString() }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
