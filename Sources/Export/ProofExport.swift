import EnrollmentDomain
import EventStore

/// Exports that prove every event: each NDJSON line carries a member `proof`, the C2SP tlog-proof@v1 text
/// of its inclusion in one signed checkpoint (see `docs/proofs.md`).
///
/// The checkpoint is a new one signed with the given key, which also states the export's set of events
/// (``ExportSet``), so that a removed line is caught; or, without a key, the last one the store recorded.
public struct ProofExport {
    /// Why a proof export cannot be made.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
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
    public func checkpoint(for positions: [Int64]) async throws -> SignedCheckpoint {
        if let signer {
            let set = ExportSet(indices: positions.lazy.map { $0 - 1 })
            return try await log.signCheckpoint(with: signer) { _ in [set.line] }
        }
        guard let latest = try await log.latestCheckpoint() else {
            throw Failure(description: "the store has no checkpoint yet: pass --key KEY to sign one for this export")
        }
        if let last = positions.max(), last > latest.checkpoint.size {
            throw Failure(
                description: "position \(last) is newer than the latest checkpoint (\(latest.checkpoint.size) events): "
                    + "pass --key KEY to sign a new one, or run `checkpoint` first")
        }
        return latest
    }

    /// Writes `events` (in position order) with their proofs, then finishes `sink`.
    ///
    /// - Returns: how many events were written, and the checkpoint they are proven against.
    @discardableResult
    public func export(_ events: [RecordedEvent], to sink: ByteSink) async throws -> (
        count: Int, checkpoint: SignedCheckpoint
    ) {
        let checkpoint = try await checkpoint(for: events.map(\.position))
        let size = checkpoint.checkpoint.size
        var count = 0
        for start in stride(from: 0, to: events.count, by: Self.batch) {
            let slice = events[start..<min(start + Self.batch, events.count)]
            let paths = try await log.inclusionProofs(indices: slice.map { $0.position - 1 }, size: size)
            for (event, path) in zip(slice, paths) {
                try write(event, path: path, checkpoint: checkpoint, to: sink)
                count += 1
            }
        }
        try sink.finish()
        return (count, checkpoint)
    }

    /// Writes every stored event `include` accepts, with proofs: a first pass lists their positions (8 bytes
    /// each) for the checkpoint's ``ExportSet``, a second writes them. Both read the log in pages.
    @discardableResult
    public func exportAll(
        to sink: ByteSink, progress: ((Int64) -> Void)? = nil, where include: (RecordedEvent) -> Bool
    ) async throws -> (count: Int, checkpoint: SignedCheckpoint) {
        var positions: [Int64] = []
        try await log.forEachPage { page in
            for event in page where include(event) { positions.append(event.position) }
            return true
        }
        let checkpoint = try await checkpoint(for: positions)
        let size = checkpoint.checkpoint.size
        var count = 0
        var next = positions.startIndex
        try await log.forEachPage(pageSize: Self.batch) { page in
            var pending: [RecordedEvent] = []
            for event in page {
                if event.position & 0xFFFF == 0 { progress?(event.position) }
                guard next < positions.endIndex, event.position == positions[next] else { continue }
                next += 1
                pending.append(event)
            }
            let paths = try await log.inclusionProofs(indices: pending.map { $0.position - 1 }, size: size)
            for (event, path) in zip(pending, paths) { try write(event, path: path, checkpoint: checkpoint, to: sink) }
            count += pending.count
            return next < positions.endIndex
        }
        try sink.finish()
        return (count, checkpoint)
    }

    static let batch = 4096

    private func write(_ event: RecordedEvent, path: [[UInt8]], checkpoint: SignedCheckpoint, to sink: ByteSink) throws
    {
        guard case .object(var members) = event.exportJSON else { return }
        members["proof"] = .string(TlogProof(index: event.position - 1, path: path, checkpoint: checkpoint.note).text)
        var line: [UInt8] = []
        JSONValue.object(members).write(to: &line)
        line.append(0x0A)
        try sink.write(line)
    }
}
