import EnrollmentDomain

/// The log's contract, the same on every backend: batch append (all or nothing, expected stream versions,
/// idempotency by event id), reads in position and stream order, the head, the RFC 9162 Merkle tree and
/// its proofs, signed checkpoints and a full `verify`.
///
/// ``SQLiteEventStore`` conforms through ``SQLiteEventLog`` (``SQLiteEventStore/log``), which runs its
/// blocking SQLite work on Dispatch threads; the PostgreSQL backend (`PostgresStore`) conforms on
/// postgres-nio. Every requirement is `async` so that neither backend blocks a Swift concurrency thread or a
/// SwiftNIO event loop (`docs/architecture.md`, "The store protocol").
///
/// Positions are gapless and in commit order on every backend: an event at position *n* is visible only
/// once every position below *n* is, so a reader that asks for events after *n* never skips one that
/// commits later.
public protocol EventLog: Sendable {
    /// Where the log is, for messages: a file path or a PostgreSQL address without its password.
    var location: String { get }

    /// Appends a batch in one transaction: all or nothing.
    ///
    /// - Parameters:
    ///   - expectedVersions: per stream, the version it must be at before this batch (0: must not exist).
    /// - Returns: one outcome per event (appended, or a duplicate of an identical stored event).
    /// - Throws: ``EventStoreError`` (`invalid_event`, `version_conflict`, `event_id_conflict`, …): nothing
    ///   of the batch is stored.
    @discardableResult
    func append(_ events: [NewEvent], expectedVersions: [String: Int64]) async throws -> AppendResult

    /// Appends events exactly as another store recorded them (their positions, versions, `recorded_at` and
    /// chain hashes), in one transaction: `copy` between stores. Each position must follow the head and
    /// each hash must be reproduced from the event and its predecessor, so the tree comes out the same.
    func appendVerbatim(_ events: [RecordedEvent]) async throws

    /// The last position and the chain hash there (the store's digest).
    func head() async throws -> StoreHead

    /// Up to `limit` events after `position`, in position order.
    func events(after position: Int64, limit: Int) async throws -> [RecordedEvent]

    /// Every event of one stream, in stream order.
    func events(inStream stream: String) async throws -> [RecordedEvent]

    /// The tree of every event stored now.
    func treeHead() async throws -> TreeHead

    /// The root of the tree of the first `size` events.
    func treeRoot(size: Int64) async throws -> [UInt8]

    /// The inclusion proof (RFC 9162 §2.1.3.1) of each leaf index in the tree of `size` events, in order.
    func inclusionProofs(indices: [Int64], size: Int64) async throws -> [[[UInt8]]]

    /// The consistency proof (RFC 9162 §2.1.4.1) that the tree of `second` events extends that of `first`.
    func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]]

    /// Signs a checkpoint of the tree as it is now and records it (append-only).
    ///
    /// - Parameter extensions: extension lines for the checkpoint, given the tree head it is of.
    func signCheckpoint(
        with signer: NoteSigner, extensions: @escaping @Sendable (TreeHead) throws -> [String]
    ) async throws -> SignedCheckpoint

    /// Every checkpoint the store recorded, oldest first.
    func checkpoints() async throws -> [RecordedCheckpoint]

    /// Records a checkpoint another store signed, once this store's tree reproduces its root at its size.
    ///
    /// - Throws: ``ProofError`` `inconsistent` when it does not.
    func recordCheckpoint(_ checkpoint: RecordedCheckpoint) async throws

    /// Walks the whole log: every chain hash, every Merkle node, every recorded checkpoint.
    ///
    /// - Parameters:
    ///   - expectedDigest: a head hash written down earlier, which the chain must pass through at
    ///     `expectedPosition` (`nil`: at the head).
    ///   - progress: called every 65,536 events with the position reached.
    func verify(
        expectedDigest: String?, expectedPosition: Int64?, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> VerifyReport
}

/// A checkpoint as a store keeps it: the signed note and the verifier key it was signed with.
public struct RecordedCheckpoint: Sendable, Hashable {
    public var signed: SignedCheckpoint
    public var verifier: NoteVerifier

    public init(signed: SignedCheckpoint, verifier: NoteVerifier) {
        self.signed = signed
        self.verifier = verifier
    }
}

extension EventLog {
    /// Appends a batch without expected versions.
    @discardableResult
    public func append(_ events: [NewEvent]) async throws -> AppendResult {
        try await append(events, expectedVersions: [:])
    }

    /// Walks the whole log (see ``verify(expectedDigest:expectedPosition:progress:)``).
    public func verify(expectedDigest: String? = nil, expectedPosition: Int64? = nil) async throws -> VerifyReport {
        try await verify(expectedDigest: expectedDigest, expectedPosition: expectedPosition, progress: nil)
    }

    /// The last checkpoint of the tree alone (not one signed for an export), or `nil`.
    public func latestCheckpoint() async throws -> SignedCheckpoint? {
        try await checkpoints().last { ExportSet(checkpoint: $0.signed.checkpoint) == nil }?.signed
    }

    /// Calls `body` with pages of at most `pageSize` events after `position`, in position order, up to the
    /// head as it was when the walk began (constant memory).
    public func forEachPage(
        after position: Int64 = 0, pageSize: Int = 4096, _ body: ([RecordedEvent]) async throws -> Bool
    ) async throws {
        let end = try await head().position
        var next = position
        while next < end {
            let page = try await events(after: next, limit: min(pageSize, Int(end - next)))
            guard let last = page.last else { return }
            next = last.position
            guard try await body(page) else { return }
        }
    }

    /// Signs and records a checkpoint of the tree as it is now, with the consistency proof from the tree of
    /// `oldSize` events, for whoever holds a checkpoint of that size (the C2SP tlog-witness form).
    ///
    /// - Throws: `invalidEvent` when `oldSize` is negative or larger than the tree.
    public func signCheckpoint(with signer: NoteSigner, provingFrom oldSize: Int64) async throws -> ConsistencyProof {
        let head = try await treeHead()
        guard oldSize >= 0, oldSize <= head.size else {
            throw EventStoreError(
                .invalidEvent, "the store's tree holds \(head.size) events: no consistency proof from \(oldSize)",
                path: location)
        }
        let signed = try await signCheckpoint(with: signer) { _ in [] }
        return ConsistencyProof(
            oldSize: oldSize, path: try await consistencyProof(from: oldSize, to: signed.checkpoint.size),
            checkpoint: signed.note)
    }

    /// Proves that this log's tree extends `older`: a consistency proof from `older`'s size to the current
    /// tree, checked against `older`'s root.
    ///
    /// - Throws: ``ProofError`` `inconsistent` when it does not extend it.
    public func proveExtends(_ older: Checkpoint) async throws -> (head: TreeHead, proof: [[UInt8]]) {
        let head = try await treeHead()
        try LogAudit.requireSize(of: older, within: head)
        let proof = try await consistencyProof(from: older.size, to: head.size)
        try LogAudit.requireExtends(older, head: head, proof: proof)
        return (head, proof)
    }
}
