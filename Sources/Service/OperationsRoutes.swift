import EnrollmentDomain
import EventStore
import Hummingbird
import Projections

/// `GET /healthz` (the process answers), `GET /readyz` (it takes requests: not stopping, the queue not
/// nearly full, the store readable; on a replicating store its role, and on a standby its lag). Neither
/// needs a token nor says anything about the data.
struct HealthRoutes: ServiceRoutes {
    func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        router.get("/healthz") { _, _ -> Response in
            JSONResponse.make(.object(["status": .string("ok")]))
        }
        router.get("/readyz") { _, _ -> Response in
            let retry: HTTPFields = [.retryAfter: String(environment.configuration.retryAfterSeconds)]
            if environment.isStopping {
                throw Problem(.serviceUnavailable, kind: "stopping", title: "The service is stopping", headers: retry)
            }
            if environment.committer.isNearlyFull {
                throw Problem(
                    .serviceUnavailable, kind: "busy", title: "The ingest queue is nearly full", headers: retry)
            }
            _ = try await environment.log.head()
            var answer: [String: JSONValue] = [
                "status": .string("ready"), "queued": .int(Int64(environment.committer.queued)),
            ]
            if let replica = try await environment.replicaStatus() {
                answer.merge(Self.members(of: replica)) { $1 }
                if let limit = environment.configuration.maximumReplicaLag, let lag = replica.lagMilliseconds,
                    lag > limit.nanoseconds / 1_000_000
                {
                    throw Problem(
                        .serviceUnavailable, kind: "replica-lagging",
                        title: "The read-only replica lags its primary beyond the configured limit",
                        detail: "lag_ms \(lag) > \(limit.nanoseconds / 1_000_000) (--max-replica-lag)", headers: retry)
                }
            }
            return JSONResponse.make(.object(answer))
        }
    }

    /// `role`, and on a standby `read_only`, `lag_ms`, `replay_delay_ms` and `unreplayed_bytes` (`null`
    /// when the server does not know them).
    static func members(of replica: ReplicationStatus) -> [String: JSONValue] {
        guard replica.isStandby else { return ["role": .string("primary")] }
        return [
            "role": .string("standby"), "read_only": .bool(true),
            "lag_ms": replica.lagMilliseconds.map(JSONValue.int) ?? .null,
            "replay_delay_ms": replica.replayDelayMilliseconds.map(JSONValue.int) ?? .null,
            "unreplayed_bytes": replica.unreplayedBytes.map(JSONValue.int) ?? .null,
        ]
    }
}

/// `GET /metrics`: the Prometheus text exposition of the fleet gauges (`stats --format prometheus`, plus
/// the stalled count) and the service's own metrics (request latency, ingest counters, commits).
struct MetricsRoutes: ServiceRoutes {
    func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        router.group().add(middleware: environment.access.require(.metrics))
            .get("/metrics") { _, _ -> Response in
                let queries = environment.readModel
                let stats = try await queries.stats(StatsQuery())
                let fleet = stats.prometheus(stalled: try await queries.stalledCount(asOf: nil))
                let text = environment.metrics.exposition() + fleet
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
    }
}
