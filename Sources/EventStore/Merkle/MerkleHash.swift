import Crypto

/// The hashing of RFC 9162 §2.1 (the same as RFC 6962 §2.1) and the verification of its proofs.
///
/// `leaf hash = SHA-256(0x00 || leaf)`, `node hash = SHA-256(0x01 || left || right)`, the root of the
/// empty tree `SHA-256()`. The verification algorithms are those of RFC 9162 §2.1.3.2 (inclusion) and
/// §2.1.4.2 (consistency), written step by step; they need nothing but the proof and the two roots.
public enum MerkleHash {
    /// The root of the empty tree: SHA-256 of nothing.
    public static let emptyRoot = Array(SHA256.hash(data: [UInt8]()))
    /// ``emptyRoot`` as an inline digest.
    public static let emptyRootDigest = Digest32(SHA256.hash(data: [UInt8]()))

    /// `SHA-256(0x00 || leaf)`.
    public static func leaf(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 || left || right)`.
    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update(bufferPointer: $0) }
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 || left || right)` over inline digests (no heap allocation).
    public static func node(_ left: Digest32, _ right: Digest32) -> Digest32 {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update(bufferPointer: $0) }
        left.update(&hasher)
        right.update(&hasher)
        return hasher.finalizeDigest32()
    }

    /// The largest power of two smaller than `n` (n > 1): where RFC 9162 splits a tree of `n` leaves.
    static func split(_ n: Int64) -> Int64 {
        Int64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    /// Whether `path` proves that the leaf with hash `leafHash` is at `index` in the tree of `size`
    /// leaves whose root is `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        index: Int64, size: Int64, leafHash: [UInt8], path: [[UInt8]], root: [UInt8]
    ) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in path {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = node(p, r)
                if fn & 1 == 0 { shiftToRightChild(&fn, &sn) }
            } else {
                r = node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `path` proves that the tree of `secondSize` leaves with root `secondRoot` extends the tree
    /// of `firstSize` leaves with root `firstRoot` (RFC 9162 §2.1.4.2). Equal sizes need an empty path
    /// and equal roots; every tree extends the empty tree (an empty path).
    public static func verifyConsistency(
        firstSize: Int64, secondSize: Int64, firstRoot: [UInt8], secondRoot: [UInt8], path: [[UInt8]]
    ) -> Bool {
        guard firstSize >= 0, firstSize <= secondSize else { return false }
        if firstSize == secondSize { return path.isEmpty && firstRoot == secondRoot }
        if firstSize == 0 { return path.isEmpty && firstRoot == emptyRoot }
        guard !path.isEmpty else { return false }
        var path = path
        if firstSize & (firstSize - 1) == 0 { path.insert(firstRoot, at: 0) }
        var fn = firstSize - 1
        var sn = secondSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = node(c, fr)
                sr = node(c, sr)
                if fn & 1 == 0 { shiftToRightChild(&fn, &sn) }
            } else {
                sr = node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }

    /// "Right-shift both fn and sn equally until either LSB(fn) is set or fn is 0" (RFC 9162 §2.1.3.2 and
    /// §2.1.4.2), after the shift that step always starts with.
    private static func shiftToRightChild(_ fn: inout Int64, _ sn: inout Int64) {
        repeat {
            fn >>= 1
            sn >>= 1
        } while fn & 1 == 0 && fn != 0
    }
}
