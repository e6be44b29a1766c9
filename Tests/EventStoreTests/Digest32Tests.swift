import Crypto
import EventStore
import Foundation
import Testing

/// The inline 32-byte digest of the append path against swift-crypto's own output and FIPS 180-2's
/// published SHA-256 example.
struct Digest32Tests {
    /// FIPS 180-2, appendix B.1: SHA-256("abc").
    static let abcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test func aDigestHoldsTheBytesSwiftCryptoComputed() {
        for input in ["", "abc", String(repeating: "x", count: 1_000)] {
            let reference = SHA256.hash(data: Array(input.utf8))
            let digest = Digest32(reference)
            #expect(digest.bytes == Array(reference))
            #expect(digest.description == Array(reference).hexString)
        }
        #expect(Digest32(SHA256.hash(data: Array("abc".utf8))).description == Self.abcHex)
    }

    @Test func bytesRoundTripAndOnlyThirtyTwoOfThemMakeADigest() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let digest = try #require(Digest32(bytes: bytes))
        #expect(digest.bytes == bytes)
        #expect(Digest32(bytes: digest.bytes) == digest)
        #expect(Digest32(bytes: Data(bytes)) == digest)
        #expect(Digest32(bytes: bytes.dropLast()) == nil)
        #expect(Digest32(bytes: bytes + [0]) == nil)
        #expect(Digest32(bytes: [UInt8]()) == nil)
        #expect(Digest32.zero.bytes == [UInt8](repeating: 0, count: 32))
    }

    @Test func hexIsLowercaseTwoDigitsPerByteInOrder() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x0A, 0xAB, 0xF0, 0xFF] + [UInt8](repeating: 0x5C, count: 26)
        let digest = try #require(Digest32(bytes: bytes))
        let expected = "00010aabf0ff" + String(repeating: "5c", count: 26)
        #expect(digest.description == expected)
        var out: [UInt8] = Array("h=".utf8)
        digest.appendHex(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "h=" + expected)
    }

    @Test func equalityAndHashingFollowEveryByte() throws {
        let base = [UInt8](repeating: 0x11, count: 32)
        let digest = try #require(Digest32(bytes: base))
        var seen: Set<Digest32> = [digest]
        for offset in 0..<32 {
            var changed = base
            changed[offset] ^= 0x80
            let other = try #require(Digest32(bytes: changed))
            #expect(other != digest, "byte \(offset)")
            #expect(seen.insert(other).inserted, "byte \(offset)")
        }
        #expect(try #require(Digest32(bytes: base)) == digest)
        #expect(seen.count == 33)
    }

    @Test func aTreeNodeOverDigestsIsTheNodeOverTheirBytes() throws {
        let left = Digest32(SHA256.hash(data: Array("left".utf8)))
        let right = Digest32(SHA256.hash(data: Array("right".utf8)))
        #expect(MerkleHash.node(left, right).bytes == MerkleHash.node(left.bytes, right.bytes))
        #expect(MerkleHash.emptyRootDigest.bytes == MerkleHash.emptyRoot)
    }

    @Test func aFrontierGivesTheSameNodesAndRootsThroughEitherInterface() throws {
        var bytesFrontier = MerkleFrontier()
        var digestFrontier = MerkleFrontier()
        for leaf in 0..<37 {
            let hash = MerkleHash.leaf(Array("leaf \(leaf)".utf8))
            var fromBytes: [String] = []
            var fromDigests: [String] = []
            bytesFrontier.append(leafHash: hash) { level, index, node in fromBytes.append("\(level)/\(index)/\(node)") }
            digestFrontier.append(leaf: try #require(Digest32(bytes: hash))) { level, index, node in
                fromDigests.append("\(level)/\(index)/\(node.bytes)")
            }
            #expect(fromBytes == fromDigests, "leaf \(leaf)")
            #expect(bytesFrontier.root == digestFrontier.rootDigest.bytes, "leaf \(leaf)")
        }
    }
}
