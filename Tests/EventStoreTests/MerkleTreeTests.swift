import EventStore
import Foundation
import Testing

/// RFC 9162 §2.1 behaviour against a reference written straight from the RFC's recursive definitions
/// (MTH, PATH, SUBPROOF over a list of leaves), for every size, index and pair of sizes up to 40.
struct MerkleTreeTests {
    /// The test leaves of RFC 6962's reference implementation, then more bytes to reach 40 leaves.
    static let leaves: [[UInt8]] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(hex)
        + (8..<40).map { [UInt8]("leaf \($0)".utf8) }

    /// The roots of the first 1…8 test leaves, computed with an independent Python implementation of MTH.
    static let rfcRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map { offset in
            let start = text.index(text.startIndex, offsetBy: offset)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    // The reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, as written there.
    static func k(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    static func mth(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        switch d.count {
        case 0: return MerkleHash.emptyRoot
        case 1: return MerkleHash.leaf(d.first!)
        default:
            let k = k(d.count)
            return MerkleHash.node(mth(d.prefix(k)), mth(d.dropFirst(k)))
        }
    }

    static func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard d.count > 1 else { return [] }
        let k = k(d.count)
        return m < k
            ? path(m, d.prefix(k)) + [mth(d.dropFirst(k))] : path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        if m == d.count { return b ? [] : [mth(d)] }
        let k = k(d.count)
        return m <= k
            ? subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))]
            : subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }

    /// The tree under test: the nodes a frontier reports as it grows, looked up as the store looks them up.
    static func storedTree(_ leaves: [[UInt8]]) -> (proofs: MerkleProofs, frontierRoots: [[UInt8]]) {
        var nodes: [String: [UInt8]] = [:]
        var frontier = MerkleFrontier()
        var roots = [frontier.root]
        for leaf in leaves {
            frontier.append(leafHash: MerkleHash.leaf(leaf)) { level, index, hash in
                #expect(nodes["\(level)/\(index)"] == nil, "each node is reported once")
                nodes["\(level)/\(index)"] = hash
            }
            roots.append(frontier.root)
        }
        #expect(nodes.count <= 2 * leaves.count, "about two stored nodes per leaf")
        let table = nodes
        return (MerkleProofs { level, index in table["\(level)/\(index)"]! }, roots)
    }

    @Test func theRootsOfTheRFCTestLeavesAreTheKnownOnes() throws {
        let (proofs, frontierRoots) = Self.storedTree(Self.leaves)
        #expect(
            try proofs.root(size: 0) == Self.hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        for (size, root) in Self.rfcRoots.enumerated() {
            #expect(try proofs.root(size: Int64(size + 1)) == Self.hex(root))
            #expect(frontierRoots[size + 1] == Self.hex(root))
        }
    }

    @Test func everyRootMatchesTheRecursiveDefinition() throws {
        let (proofs, frontierRoots) = Self.storedTree(Self.leaves)
        for size in 0...Self.leaves.count {
            let expected = Self.mth(Self.leaves.prefix(size))
            #expect(try proofs.root(size: Int64(size)) == expected, "size \(size)")
            #expect(frontierRoots[size] == expected, "frontier at size \(size)")
        }
    }

    @Test func everyInclusionProofMatchesTheRFCAndVerifies() throws {
        let (proofs, _) = Self.storedTree(Self.leaves)
        for size in 1...Self.leaves.count {
            let root = Self.mth(Self.leaves.prefix(size))
            for index in 0..<size {
                let proof = try proofs.inclusionProof(index: Int64(index), size: Int64(size))
                #expect(proof == Self.path(index, Self.leaves.prefix(size)), "leaf \(index) of \(size)")
                let leafHash = MerkleHash.leaf(Self.leaves[index])
                #expect(
                    MerkleHash.verifyInclusion(
                        index: Int64(index), size: Int64(size), leafHash: leafHash, path: proof, root: root))
                // Any other leaf, index, size, a flipped bit, a missing or an extra hash: refused.
                let other = MerkleHash.leaf(Self.leaves[(index + 1) % Self.leaves.count])
                #expect(
                    !MerkleHash.verifyInclusion(
                        index: Int64(index), size: Int64(size), leafHash: other, path: proof, root: root))
                if size > 1 {
                    #expect(
                        !MerkleHash.verifyInclusion(
                            index: Int64((index + 1) % size), size: Int64(size), leafHash: leafHash, path: proof,
                            root: root))
                    var flipped = proof
                    flipped[index % proof.count][7] ^= 0x04
                    #expect(
                        !MerkleHash.verifyInclusion(
                            index: Int64(index), size: Int64(size), leafHash: leafHash, path: flipped, root: root))
                    #expect(
                        !MerkleHash.verifyInclusion(
                            index: Int64(index), size: Int64(size), leafHash: leafHash, path: proof.dropLast(),
                            root: root))
                }
                #expect(
                    !MerkleHash.verifyInclusion(
                        index: Int64(index), size: Int64(size), leafHash: leafHash, path: proof + [root], root: root))
                // The size is bound by the signed checkpoint: the same path against the next tree's root fails.
                if size < Self.leaves.count {
                    #expect(
                        !MerkleHash.verifyInclusion(
                            index: Int64(index), size: Int64(size + 1), leafHash: leafHash, path: proof,
                            root: Self.mth(Self.leaves.prefix(size + 1))))
                }
                #expect(
                    !MerkleHash.verifyInclusion(
                        index: Int64(size), size: Int64(size), leafHash: leafHash, path: proof, root: root))
            }
        }
    }

    @Test func everyConsistencyProofMatchesTheRFCAndVerifies() throws {
        let (proofs, _) = Self.storedTree(Self.leaves)
        let roots = (0...Self.leaves.count).map { Self.mth(Self.leaves.prefix($0)) }
        for second in 0...Self.leaves.count {
            for first in 0...second {
                let proof = try proofs.consistencyProof(first: Int64(first), second: Int64(second))
                let expected =
                    first == 0 || first == second ? [] : Self.subproof(first, Self.leaves.prefix(second), true)
                #expect(proof == expected, "\(first) → \(second)")
                #expect(
                    MerkleHash.verifyConsistency(
                        firstSize: Int64(first), secondSize: Int64(second), firstRoot: roots[first],
                        secondRoot: roots[second], path: proof), "\(first) → \(second)")
                guard first > 0, first < second else { continue }
                // Another first root, another second root, a flipped bit, a wrong size: refused.
                #expect(
                    !MerkleHash.verifyConsistency(
                        firstSize: Int64(first), secondSize: Int64(second), firstRoot: roots[first - 1],
                        secondRoot: roots[second], path: proof))
                #expect(
                    !MerkleHash.verifyConsistency(
                        firstSize: Int64(first), secondSize: Int64(second), firstRoot: roots[first],
                        secondRoot: roots[second - 1], path: proof))
                var flipped = proof
                flipped[first % proof.count][0] ^= 0x80
                #expect(
                    !MerkleHash.verifyConsistency(
                        firstSize: Int64(first), secondSize: Int64(second), firstRoot: roots[first],
                        secondRoot: roots[second], path: flipped))
                #expect(
                    !MerkleHash.verifyConsistency(
                        firstSize: Int64(second), secondSize: Int64(first), firstRoot: roots[second],
                        secondRoot: roots[first], path: proof))
            }
        }
    }
}
