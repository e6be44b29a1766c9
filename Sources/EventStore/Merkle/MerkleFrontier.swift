/// The right edge of a Merkle tree: the root of each full subtree the leaves so far make up.
///
/// After `size` leaves there is one full subtree of 2^L leaves for each bit L set in `size`; appending a
/// leaf completes the subtrees it closes, bottom up. Each completed node is reported once, so a store
/// keeps every node of the tree with about two rows per leaf, and any root or proof can be computed from
/// them.
public struct MerkleFrontier: Sendable, Hashable {
    /// The number of leaves.
    public private(set) var size: Int64
    /// `levels[L]` is the hash of the full subtree of 2^L leaves on the right edge when bit L of `size` is set.
    /// Inline digests: appending a leaf allocates nothing once the array has grown to the tree's height.
    private var levels: [Digest32]

    /// The frontier of the empty tree.
    public init() {
        size = 0
        levels = []
    }

    /// The frontier of a tree of `size` leaves, from the full-subtree roots that `node(level, index)` gives
    /// (see ``nodes(size:)``).
    ///
    /// - Precondition: every node is 32 bytes (the stores check the length of what they read).
    public init(size: Int64, node: (Int, Int64) throws -> [UInt8]) rethrows {
        try self.init(size: size) { level, index -> Digest32 in
            let bytes = try node(level, index)
            guard let digest = Digest32(bytes: bytes) else {
                preconditionFailure("a Merkle node of \(bytes.count) bytes, not 32")
            }
            return digest
        }
    }

    /// The frontier of a tree of `size` leaves, from the full-subtree roots that `node(level, index)` gives.
    public init(size: Int64, digest node: (Int, Int64) throws -> Digest32) rethrows {
        self.size = size
        levels = []
        var level = 0
        while size >> level > 0 {
            levels.append(size >> level & 1 == 1 ? try node(level, (size >> level) - 1) : .zero)
            level += 1
        }
    }

    /// The nodes (level, index) the frontier of a tree of `size` leaves is made of: one per bit set in `size`.
    public static func nodes(size: Int64) -> [(level: Int, index: Int64)] {
        (0..<max(0, 64 - size.leadingZeroBitCount)).compactMap { level in
            size >> level & 1 == 1 ? (level, (size >> level) - 1) : nil
        }
    }

    /// Appends the leaf with hash `leafHash`, reporting every node that becomes complete: the leaf itself
    /// (level 0) and each parent it closes, as (level, index, hash).
    ///
    /// - Precondition: `leafHash` is 32 bytes.
    public mutating func append(leafHash: [UInt8], completed: (Int, Int64, [UInt8]) throws -> Void) rethrows {
        guard let leaf = Digest32(bytes: leafHash) else {
            preconditionFailure("a Merkle leaf hash of \(leafHash.count) bytes, not 32")
        }
        try append(leaf: leaf) { level, index, hash in try completed(level, index, hash.bytes) }
    }

    /// Appends the leaf with hash `leaf` as ``append(leafHash:completed:)`` does, with inline digests: no
    /// heap allocation per node.
    public mutating func append(leaf: Digest32, completed: (Int, Int64, Digest32) throws -> Void) rethrows {
        var hash = leaf
        var index = size
        var level = 0
        try completed(0, index, hash)
        while index & 1 == 1 {
            hash = MerkleHash.node(levels[level], hash)
            level += 1
            index >>= 1
            try completed(level, index, hash)
        }
        if level < levels.count { levels[level] = hash } else { levels.append(hash) }
        size += 1
    }

    /// The root of the tree (RFC 9162 §2.1.1): the full subtrees folded from the right.
    public var root: [UInt8] { rootDigest.bytes }

    /// The root of the tree as an inline digest.
    public var rootDigest: Digest32 {
        var root: Digest32?
        for level in levels.indices where size >> level & 1 == 1 {
            root = root.map { MerkleHash.node(levels[level], $0) } ?? levels[level]
        }
        return root ?? MerkleHash.emptyRootDigest
    }
}
