import EnrollmentDomain
import Hummingbird
import Projections

/// `GET /healthz` (the process answers), `GET /readyz` (it takes ingest requests: not stopping, the
/// queue not nearly full, the store readable). Neither needs a token nor says anything about the data.
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
            _ = try await environment.read { try $0.store.head() }
            return JSONResponse.make(
                .object(["status": .string("ready"), "queued": .int(Int64(environment.committer.queued))]))
        }
    }
}

/// `GET /metrics`: the Prometheus text exposition of the fleet gauges (`stats --format prometheus`, plus
/// the stalled count) and the service's own metrics (request latency, ingest counters, commits).
struct MetricsRoutes: ServiceRoutes {
    func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        router.group().add(middleware: environment.access.require(.metrics))
            .get("/metrics") { _, _ -> Response in
                let fleet = try await environment.read { queries in
                    try queries.stats().prometheus(stalled: try queries.stalledCount())
                }
                let text = environment.metrics.exposition() + fleet
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
    }
}
