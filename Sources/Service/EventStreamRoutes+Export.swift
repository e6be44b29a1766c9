import EnrollmentDomain
import EventStore
import Export
import Hummingbird
import Projections

/// `GET /v1/export`: the lines `export` writes, with the same filters, and with the same proofs
/// (``ProofExport``): by default for `id` and `user`, or with `proof=true`; `proof=false` leaves them out.
extension EventStreamRoutes {
    /// The answer of `GET /v1/export` to `request` (its query: `id` or `user`, `since`, `until`, `after`,
    /// `type`, and the proofs' options).
    public static func export(_ request: Request, environment: ServiceEnvironment) async throws -> Response {
        let query = QueryParameters(request)
        let id = query.string("id")
        let user = query.string("user")
        if id != nil && user != nil { throw Problem.badRequest("give id or user, not both") }
        let since = try query.time("since")?.milliseconds ?? .min
        let until = try query.time("until")?.milliseconds ?? .max
        let after = try query.integer("after", in: 0...Int64.max) ?? 0
        let types = Set(query.string("type").map { $0.split(separator: ",").map(String.init) } ?? [])
        let subject = id ?? user
        let proof = try query.flag("proof") ?? (subject != nil)
        let include: @Sendable (RecordedEvent) -> Bool = { event in
            let time = event.event.occurredAt.milliseconds
            return event.position > after && time >= since && time < until
                && (types.isEmpty || types.contains(event.event.type))
        }
        // The log's calls never block the tasks that serve connections (SQLite's run on Dispatch threads).
        let exporter = ProofExport(log: environment.log, signer: environment.configuration.checkpointSigner)
        if let subject {
            return try await subjectExport(subject, proof: proof, exporter: exporter, environment: environment) {
                include($0)
            }
        }
        guard proof else { return plainExport(after: after, environment: environment, where: include) }
        let plan = try await provingFailures { try await exporter.plan(after: after, where: include) }
        let body = ResponseBody { writer in
            var next = 0
            while next < plan.positions.endIndex {
                let page = try await exporter.page(of: plan, from: next, limit: pageSize)
                try await writer.write(ByteBuffer(bytes: page.bytes))
                next = page.next
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: ndjson, body: body)
    }

    static let ndjson: HTTPFields = [.contentType: "application/x-ndjson"]

    /// One enrollment's (or a user's) export: the events of every linked stream, in position order; with
    /// proofs, the checkpoint is chosen (or signed) before the answer starts, then pages are proven.
    static func subjectExport(
        _ subject: String, proof: Bool, exporter: ProofExport, environment: ServiceEnvironment,
        where include: @escaping @Sendable (RecordedEvent) -> Bool
    ) async throws -> Response {
        let statuses = try await environment.readModel.enrollments(matching: subject, asOf: nil)
        guard !statuses.isEmpty else { throw Problem.notFound("no enrollment is known by this id") }
        var found: [RecordedEvent] = []
        for stream in Set(statuses.flatMap { $0.ids.filter { $0.kind == .stream }.map(\.value) }) {
            found += try await environment.log.events(inStream: stream).filter(include)
        }
        let events = found.sorted { $0.position < $1.position }
        let checkpoint =
            proof ? try await provingFailures { try await exporter.checkpoint(for: events.map(\.position)) } : nil
        guard let checkpoint else {
            let bytes = events.reduce(into: [UInt8]()) { Self.appendLine($1, to: &$0) }
            return Response(status: .ok, headers: ndjson, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let body = ResponseBody { writer in
            for start in stride(from: 0, to: events.count, by: pageSize) {
                let slice = events[start..<min(start + pageSize, events.count)]
                let bytes = try await exporter.lines(slice, checkpoint: checkpoint)
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: ndjson, body: body)
    }

    /// The log without proofs, streamed page by page up to the head at the request.
    static func plainExport(
        after: Int64, environment: ServiceEnvironment, where include: @escaping @Sendable (RecordedEvent) -> Bool
    ) -> Response {
        let body = ResponseBody { writer in
            let head = try await environment.log.head().position
            var position = after
            while position < head {
                let (bytes, last) = try await Self.page(after: position, through: head, environment: environment) {
                    event, bytes in
                    if include(event) { Self.appendLine(event, to: &bytes) }
                }
                if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                guard last > position else { break }
                position = last
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: ndjson, body: body)
    }

    /// Turns "no checkpoint proves these events" into a 409 that says how to get one.
    static func provingFailures<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as ProofExport.Failure {
            throw Problem.noCheckpoint(failure)
        }
    }
}

extension Problem {
    /// A proof export without a checkpoint to prove it against (`serve` has no `--checkpoint-key`, and the
    /// store recorded none, or none recent enough).
    static func noCheckpoint(_ failure: ProofExport.Failure) -> Problem {
        switch failure.code {
        case .noCheckpoint, .checkpointBehind:
            Problem(
                .conflict, kind: "no-checkpoint", title: "No signed checkpoint proves these events",
                detail: "\(failure): start serve with --checkpoint-key KEY to sign a new checkpoint for each export, "
                    + "or record one with `enroll-audit checkpoint --key KEY`; proof=false exports without proofs")
        case .eventMissing:
            Problem(
                .conflict, kind: "store-changed", title: "The store changed during the export", detail: "\(failure)")
        }
    }
}
