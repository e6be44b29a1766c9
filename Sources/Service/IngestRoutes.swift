import EnrollmentDomain
import EventStore
import Foundation
import Hummingbird
import Ingest

/// `POST /webhooks/mdm`, `POST /v1/events`, `POST /v1/ingest?from=…`: bodies decoded as `ingest` decodes
/// files, each request stored all or nothing through the group committer, answered after the commit.
struct IngestRoutes: ServiceRoutes {
    static let ndjsonTypes = ["application/x-ndjson", "application/jsonl", "application/json"]
    static let documentTypes = ndjsonTypes + ["text/plain", "application/octet-stream"]

    func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        let limits = environment.configuration
        router.post("/webhooks/mdm") { request, _ -> Response in
            try Self.requireWritable(environment)
            let access = environment.access
            if access.webhookKey == nil { try access.authorize(request, scope: .ingest) }
            try RequestBodyReader.requireMediaType(request, ["application/json"])
            let body = try await RequestBodyReader.collect(
                request, limit: limits.maximumBodyBytes, timeout: limits.requestTimeout)
            try access.verifyWebhookSignature(request, body: body)
            let records = RequestRecords(webhook: body, attemptParameter: "attempt")
            return try await Self.store(records, endpoint: "webhook", environment: environment)
        }
        router.group("/v1").add(middleware: environment.access.require(.ingest))
            .post("/events") { request, _ -> Response in
                try Self.requireWritable(environment)
                try RequestBodyReader.requireMediaType(request, Self.ndjsonTypes)
                let body = try await RequestBodyReader.collect(
                    request, limit: limits.maximumBodyBytes, timeout: limits.requestTimeout)
                let records = RequestRecords(lines: body, format: .native, attemptParameter: "attempt")
                return try await Self.store(records, endpoint: "events", environment: environment)
            }
            .post("/ingest") { request, _ -> Response in
                try Self.requireWritable(environment)
                let format: InputFormat?
                if let from = request.uri.queryParameters["from"] {
                    guard let named = InputFormat(rawValue: String(from)) else {
                        throw Problem.badRequest(
                            "from must be one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    format = named
                } else {
                    format = nil
                }
                let attempt = request.uri.queryParameters["attempt_parameter"].map(String.init) ?? "attempt"
                try RequestBodyReader.requireMediaType(request, Self.documentTypes)
                let body = try await RequestBodyReader.collect(
                    request, limit: limits.maximumBodyBytes, timeout: limits.requestTimeout)
                let records = RequestRecords(lines: body, format: format, attemptParameter: attempt)
                return try await Self.store(records, endpoint: "ingest", environment: environment)
            }
    }

    /// Refuses an ingest request, before its body is read, while the store is a read-only standby.
    static func requireWritable(_ environment: ServiceEnvironment) throws {
        guard environment.isStandby else { return }
        throw Problem.readOnlyReplica(
            "this service reads a hot standby (\(environment.log.location)), which takes no writes")
    }

    /// Stores the request's events (or refuses the request), counts it, and answers.
    static func store(_ records: RequestRecords, endpoint: String, environment: ServiceEnvironment) async throws
        -> Response
    {
        let metrics = environment.metrics
        guard records.totalRejected == 0 else {
            metrics.recordIngest(
                endpoint: endpoint, outcome: "rejected", appended: 0, duplicates: 0, rejected: records.totalRejected)
            throw Problem.invalidInput(records.rejected, total: records.totalRejected)
        }
        var outcome = CommitOutcome()
        if !records.events.isEmpty {
            do {
                outcome = try await environment.committer.submit(records.events)
            } catch let failure as CommitFailure {
                if case .readOnly = failure { environment.markStandby() }
                metrics.recordIngest(endpoint: endpoint, outcome: "failed", appended: 0, duplicates: 0, rejected: 0)
                throw problem(for: failure, records: records, retryAfter: environment.configuration.retryAfterSeconds)
            }
        }
        metrics.recordIngest(
            endpoint: endpoint, outcome: "stored", appended: outcome.appended, duplicates: outcome.duplicates,
            rejected: 0)
        let answer = JSONValue.object([
            "records": .int(Int64(records.records)),
            "appended": .int(Int64(outcome.appended)),
            "duplicates": .int(Int64(outcome.duplicates)),
            "skipped": .int(Int64(records.skipped)),
            "positions": .array(outcome.positions.map(JSONValue.int)),
        ])
        return JSONResponse.make(answer)
    }

    static func problem(for failure: CommitFailure, records: RequestRecords, retryAfter: Int) -> Problem {
        switch failure {
        case .rejected(let error):
            let item = Problem.Item(line: records.line(ofEvent: error.eventID), reason: error.description)
            return Problem.invalidInput([item], total: 1)
        case .busy:
            return Problem.busy(retryAfter: retryAfter, detail: "the ingest queue is full; retry after the delay")
        case .stopping:
            return Problem.busy(retryAfter: retryAfter, detail: "the service is stopping; retry on its successor")
        case .readOnly(let error):
            return Problem.readOnlyReplica("\(error)")
        case .store:
            return Problem(
                .serviceUnavailable, kind: "store-unavailable",
                title: "The store could not be written; nothing was stored",
                detail: "see the service log", headers: [.retryAfter: String(retryAfter)])
        }
    }
}
