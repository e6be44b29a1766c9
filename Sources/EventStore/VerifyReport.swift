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
}
