import EnrollmentDomain
import EventStore
import Foundation
import Testing

/// The test vectors of docs/proofs.md ("Test vectors"), computed there with the Python `rfc8785` package
/// and `hashlib`, recomputed here with the Swift side: leaves, leaf hashes, roots, proofs.
struct ProofVectorsTests {
    static func event(
        _ n: Int, data: [String: JSONValue], occurred: String, recorded: String, source: String, type: String,
        user: String?, correlation: String?, hashByte: String
    ) -> JSONValue {
        .object([
            "correlation_id": correlation.map(JSONValue.string) ?? .null, "data": .object(data),
            "event_id": .string("00000000-0000-4000-8000-00000000000\(n)"),
            "hash": .string(String(repeating: hashByte, count: 32)), "occurred_at": .string(occurred),
            "position": .int(Int64(n)), "recorded_at": .string(recorded), "schema": .int(1),
            "source": .string(source), "stream": .string("UE-0001"), "type": .string(type),
            "user": user.map(JSONValue.string) ?? .null, "version": .int(Int64(n)),
        ])
    }

    static let events = [
        event(
            1, data: ["model_family": .string("iPhone")], occurred: "2026-10-01T16:35:20.116Z",
            recorded: "2026-10-01T16:35:21.000Z", source: "enrollment-service", type: "discovery.succeeded",
            user: "joe@contoso.com", correlation: nil, hashByte: "aa"),
        event(
            2, data: ["ratio": .double(1.5), "note": .string("tab\there")], occurred: "2026-10-01T16:35:22.000Z",
            recorded: "2026-10-01T16:35:22.500Z", source: "intune", type: "app.installed", user: nil,
            correlation: nil, hashByte: "bb"),
        event(
            3, data: [:], occurred: "2026-10-01T16:36:00.000Z", recorded: "2026-10-01T16:36:00.001Z",
            source: "nanomdm", type: "mdm.token_updated", user: "joe@contoso.com", correlation: "c-1",
            hashByte: "cc"),
    ]

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    @Test func theDocumentedVectorsComeOutOfTheSwiftSide() throws {
        let leaves = Self.events.map(\.jcsBytes)
        #expect(
            String(decoding: leaves[1], as: UTF8.self)
                .hasPrefix(#"{"correlation_id":null,"data":{"note":"tab\there","ratio":1.5},"#))
        let hashes = leaves.map(MerkleHash.leaf)
        #expect(
            hashes.map(Self.base64) == [
                "wlloXy+F0ih19HxHb9YeEc7VmEeQSngPSbFZtMWQx68=", "agaYk5h4+qZ8HdboiuQSgjmwRondeaLwXA9k/zvhIAA=",
                "nxz79cQZP03g5uOR7KwZilDFhCyi4OnU+4x+5mjFBdM=",
            ])
        var nodes: [String: [UInt8]] = [:]
        var frontier = MerkleFrontier()
        var roots: [String] = []
        for hash in hashes {
            frontier.append(leafHash: hash) { level, index, node in nodes["\(level)/\(index)"] = node }
            roots.append(Self.base64(frontier.root))
        }
        #expect(
            roots == [
                "wlloXy+F0ih19HxHb9YeEc7VmEeQSngPSbFZtMWQx68=", "TqBA+gB/UBso4i/8ggDzOgIfhZlKbSeadDN62NutpoU=",
                "pxvyDHVRojYeZYgGsS9mJjd/AtPqr+FQQZnBfzIbtog=",
            ])
        let table = nodes
        let proofs = MerkleProofs { level, index in table["\(level)/\(index)"] ?? [] }
        #expect(try proofs.inclusionProof(index: 0, size: 3) == [hashes[1], hashes[2]])
        #expect(try proofs.inclusionProof(index: 1, size: 3) == [hashes[0], hashes[2]])
        #expect(try proofs.inclusionProof(index: 2, size: 3).map(Self.base64) == [roots[1]])
        #expect(try proofs.consistencyProof(first: 1, second: 3) == [hashes[1], hashes[2]])
        #expect(try proofs.consistencyProof(first: 2, second: 3) == [hashes[2]])
    }
}
