import EnrollmentDomain
import EventStore

/// Exports that prove every event: each NDJSON line carries a member `proof`, the C2SP tlog-proof@v1 text
/// of its inclusion in one signed checkpoint (see `docs/proofs.md`).
///
/// The checkpoint is a new one signed with the given key, which also states the export's set of events
/// (``ExportSet``), so that a removed line is caught; or, without a key, the last one the store recorded.
/// `export` and `serve`'s `GET /v1/export` both write through this type: a ``Plan`` fixes the events and
/// the checkpoint, ``lines(_:checkpoint:)`` and ``page(of:from:limit:)`` render them in bounded pieces.
/// It reads the log through ``EventLog``, so it works on either backend.
public struct ProofExport: Sendable {
    /// Why a proof export cannot be made.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Code: String, Sendable {
            /// No key to sign a checkpoint with, and the store recorded none.
            case noCheckpoint = "no_checkpoint"
            /// No key, and the latest recorded checkpoint is older than an exported event.
            case checkpointBehind = "checkpoint_behind"
            /// A planned event is no longer in the store (it was replaced by another file meanwhile).
            case eventMissing = "event_missing"
        }

        public var code: Code
        /// What is missing, without the remedy (which depends on the caller: an option, a setting).
        public var description: String
    }

    /// The events a full export holds and the checkpoint that proves them.
    public struct Plan: Sendable {
        public let checkpoint: SignedCheckpoint
        /// The positions of the exported events, ascending.
        public let positions: [Int64]
    }

    let log: any EventLog
    let signer: NoteSigner?

    /// - Parameters:
    ///   - log: the store, on either backend.
    ///   - signer: signs a new checkpoint for the export (the store must be open for writing); `nil`: use
    ///     the latest recorded checkpoint.
    public init(log: any EventLog, signer: NoteSigner?) {
        self.log = log
        self.signer = signer
    }

    /// The checkpoint the events at `positions` (in export order) are proven against.
    ///
    /// - Throws: ``Failure`` when there is no key and no recorded checkpoint covers the events.
    public func checkpoint(for positions: [Int64]) async throws -> SignedCheckpoint {
        if let signer {
            let set = ExportSet(indices: positions.lazy.map { $0 - 1 })
            return try await log.signCheckpoint(with: signer) { _ in [set.line] }
        }
        guard let latest = try await log.latestCheckpoint() else {
            throw Failure(
                code: .noCheckpoint, description: "the store has no checkpoint yet to prove the events against")
        }
        if let last = positions.max(), last > latest.checkpoint.size {
            throw Failure(
                code: .checkpointBehind,
                description: "position \(last) is newer than the latest checkpoint (\(latest.checkpoint.size) events)")
        }
        return latest
    }

    /// Plans a full export: a first pass lists the positions (8 bytes each) of the stored events after
    /// `after` that `include` accepts, then the checkpoint for them is chosen (or signed).
    public func plan(after: Int64 = 0, where include: (RecordedEvent) -> Bool) async throws -> Plan {
        var positions: [Int64] = []
        try await log.forEachPage(after: after) { page in
            for event in page where include(event) { positions.append(event.position) }
            return true
        }
        return Plan(checkpoint: try await checkpoint(for: positions), positions: positions)
    }

    /// The NDJSON lines, with proofs against `checkpoint`, of at most `limit` of the plan's events from
    /// `plan.positions[start]`, read in pages of `limit` events.
    ///
    /// - Returns: the bytes and the index in `plan.positions` to continue from (`positions.count` at the end).
    public func page(of plan: Plan, from start: Int, limit: Int = ProofExport.batch) async throws -> (
        bytes: [UInt8], next: Int
    ) {
        guard start < plan.positions.endIndex else { return ([], start) }
        let end = min(start + limit, plan.positions.endIndex)
        var events: [RecordedEvent] = []
        events.reserveCapacity(end - start)
        var next = start
        try await log.forEachPage(after: plan.positions[start] - 1, pageSize: limit) { page in
            for event in page where next < end && event.position == plan.positions[next] {
                events.append(event)
                next += 1
            }
            return next < end
        }
        guard next > start else {
            throw Failure(
                code: .eventMissing,
                description: "the event at position \(plan.positions[start]) is no longer in the store")
        }
        return (try await lines(events, checkpoint: plan.checkpoint), next)
    }

    /// The NDJSON lines of `events` with their proofs against `checkpoint`, one read of the tree.
    public func lines(_ events: some Collection<RecordedEvent>, checkpoint: SignedCheckpoint) async throws -> [UInt8] {
        let paths = try await log.inclusionProofs(
            indices: events.map { $0.position - 1 }, size: checkpoint.checkpoint.size)
        var bytes: [UInt8] = []
        for (event, path) in zip(events, paths) {
            guard case .object(var members) = event.exportJSON else { continue }
            members["proof"] = .string(
                TlogProof(index: event.position - 1, path: path, checkpoint: checkpoint.note).text)
            JSONValue.object(members).write(to: &bytes)
            bytes.append(0x0A)
        }
        return bytes
    }

    /// Writes `events` (in position order) with their proofs, then finishes `sink`.
    ///
    /// - Returns: how many events were written, and the checkpoint they are proven against.
    @discardableResult
    public func export(_ events: [RecordedEvent], to sink: ByteSink) async throws -> (
        count: Int, checkpoint: SignedCheckpoint
    ) {
        let checkpoint = try await checkpoint(for: events.map(\.position))
        for start in stride(from: 0, to: events.count, by: Self.batch) {
            try sink.write(
                try await lines(events[start..<min(start + Self.batch, events.count)], checkpoint: checkpoint))
        }
        try sink.finish()
        return (events.count, checkpoint)
    }

    /// Writes every stored event after `after` that `include` accepts, with proofs (``plan(after:where:)``,
    /// then ``page(of:from:limit:)`` until the end).
    @discardableResult
    public func exportAll(
        after: Int64 = 0, to sink: ByteSink, progress: ((Int64) -> Void)? = nil,
        where include: (RecordedEvent) -> Bool
    ) async throws -> (count: Int, checkpoint: SignedCheckpoint) {
        let plan = try await plan(after: after, where: include)
        var next = 0
        while next < plan.positions.endIndex {
            let page = try await page(of: plan, from: next)
            try sink.write(page.bytes)
            next = page.next
            progress?(plan.positions[next - 1])
        }
        try sink.finish()
        return (plan.positions.count, plan.checkpoint)
    }

    /// Events per read of the tree and per page.
    public static let batch = 4096
}
