/// Roots and proofs of RFC 9162 §2.1 for any tree size, computed from stored full-subtree nodes.
///
/// `node(level, index)` returns the hash of the full subtree of 2^level leaves that starts at leaf
/// `index << level`; every such subtree inside the tree must be available (the store keeps each one
/// once, see ``MerkleFrontier``). A root or a proof reads O(log² n) nodes at most, usually O(log n).
public struct MerkleProofs {
    private let node: (Int, Int64) throws -> [UInt8]

    public init(node: @escaping (Int, Int64) throws -> [UInt8]) {
        self.node = node
    }

    /// MTH(D[0:size]): the root of the tree of the first `size` leaves.
    public func root(size: Int64) throws -> [UInt8] {
        size == 0 ? MerkleHash.emptyRoot : try subtreeHash(start: 0, size: size)
    }

    /// PATH(index, D[0:size]) (RFC 9162 §2.1.3.1): from the leaf's sibling up to a child of the root.
    public func inclusionProof(index: Int64, size: Int64) throws -> [[UInt8]] {
        precondition(index >= 0 && index < size, "inclusion proof of a leaf outside the tree")
        var path: [[UInt8]] = []
        try appendPath(index: index, start: 0, size: size, to: &path)
        return path
    }

    /// PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1); empty when `first` is 0 or equals `second`.
    public func consistencyProof(first: Int64, second: Int64) throws -> [[UInt8]] {
        precondition(first >= 0 && first <= second, "consistency proof towards a smaller tree")
        guard first > 0, first < second else { return [] }
        var path: [[UInt8]] = []
        try appendSubproof(first: first, start: 0, size: second, complete: true, to: &path)
        return path
    }

    /// MTH(D[start:start+size]), where `start` is a multiple of the smallest power of two ≥ `size`.
    private func subtreeHash(start: Int64, size: Int64) throws -> [UInt8] {
        if size & (size - 1) == 0 {
            let level = size.trailingZeroBitCount
            return try node(level, start >> level)
        }
        let k = MerkleHash.split(size)
        return MerkleHash.node(
            try subtreeHash(start: start, size: k), try subtreeHash(start: start + k, size: size - k))
    }

    private func appendPath(index: Int64, start: Int64, size: Int64, to path: inout [[UInt8]]) throws {
        guard size > 1 else { return }
        let k = MerkleHash.split(size)
        if index < k {
            try appendPath(index: index, start: start, size: k, to: &path)
            path.append(try subtreeHash(start: start + k, size: size - k))
        } else {
            try appendPath(index: index - k, start: start + k, size: size - k, to: &path)
            path.append(try subtreeHash(start: start, size: k))
        }
    }

    private func appendSubproof(
        first: Int64, start: Int64, size: Int64, complete: Bool, to path: inout [[UInt8]]
    ) throws {
        if first == size {
            if !complete { path.append(try subtreeHash(start: start, size: size)) }
            return
        }
        let k = MerkleHash.split(size)
        if first <= k {
            try appendSubproof(first: first, start: start, size: k, complete: complete, to: &path)
            path.append(try subtreeHash(start: start + k, size: size - k))
        } else {
            try appendSubproof(first: first - k, start: start + k, size: size - k, complete: false, to: &path)
            path.append(try subtreeHash(start: start, size: k))
        }
    }
}
