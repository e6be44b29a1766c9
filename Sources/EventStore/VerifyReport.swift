/// The result of walking the hash chain.
public struct VerifyReport: Sendable, Hashable {
    /// Whether the whole chain checked out (and matched the expected digest, when one was given).
    public var ok: Bool { problem == nil }
    /// How many events were checked.
    public var events: Int64
    /// The last position of the log.
    public var headPosition: Int64
    /// The hex chain hash at the head: the store's digest.
    public var headHash: String
    /// The first position where the chain breaks (a changed, missing, reordered or inserted row).
    public var firstBadPosition: Int64?
    /// What is wrong, in words; `nil` when all is well.
    public var problem: String?
    /// The Merkle tree recomputed from the events checked (its size is ``events`` when all is well).
    public var tree = TreeHead(size: 0, root: MerkleHash.emptyRoot)
    /// How many recorded checkpoints were checked against the tree.
    public var checkpoints = 0
    /// Whether the triggers that refuse UPDATE and DELETE are all in place.
    public var triggersIntact: Bool

    public init(events: Int64, headPosition: Int64, headHash: String, triggersIntact: Bool) {
        self.events = events
        self.headPosition = headPosition
        self.headHash = headHash
        self.triggersIntact = triggersIntact
    }
}

extension VerifyReport {
    /// The last checks of a walk, in this order: the chain must pass through `expectedDigest` (at
    /// `expectedPosition`, where the walk saw `hashAtExpectedPosition`; `nil`: at the head), and the
    /// append-only triggers must be intact. `medium` names what an outsider replaced ("file", "log").
    public mutating func finish(
        expectedDigest: String?, expectedPosition: Int64?, hashAtExpectedPosition: String?, medium: String
    ) {
        if problem == nil, let expectedDigest {
            let actual = expectedPosition == nil ? headHash : hashAtExpectedPosition
            if actual != expectedDigest.lowercased() {
                problem =
                    "the chain does not pass through the expected digest \(expectedDigest)"
                    + (expectedPosition.map { " at position \($0)" } ?? " at its head")
                    + ": events were removed from the tail, or the \(medium) was replaced or rewritten"
            }
        }
        if problem == nil, !triggersIntact {
            problem = "the append-only triggers were removed: the \(medium) was modified outside the tool"
        }
    }
}
