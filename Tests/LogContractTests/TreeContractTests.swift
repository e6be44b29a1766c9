import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

/// The Merkle tree, its proofs and the signed checkpoints, one code path over both backends.
struct TreeContractTests {
    /// The native sample appended to SQLite, then copied verbatim into the backend: the same leaves, so the
    /// root at every size, every inclusion proof and every consistency proof must be SQLite's, byte for byte.
    @Test(arguments: LogBackend.available)
    func theTreeOfTheSameEventsHasSQLitesRootsAndProofsAtEverySize(_ backend: LogBackend) async throws {
        let reference = try await LogBackend.sqlite.makeLog()
        try await reference.log.append(try ContractEvents.sample())
        let recorded = try await reference.log.events(after: 0, limit: 1000)
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        for start in stride(from: 0, to: recorded.count, by: 100) {
            try await store.log.appendVerbatim(Array(recorded[start..<min(start + 100, recorded.count)]))
        }
        let size = Int64(recorded.count)
        #expect(try await store.log.treeHead() == reference.log.treeHead())
        for probe in [Int64(0), 1, 2, 3, 7, 64, 255, 256, 257, 500, size] {
            #expect(try await store.log.treeRoot(size: probe) == reference.log.treeRoot(size: probe))
        }
        let indices: [Int64] = [0, 1, 2, 100, 255, 256, size - 1]
        let proofs = try await store.log.inclusionProofs(indices: indices, size: size)
        #expect(try await proofs == reference.log.inclusionProofs(indices: indices, size: size))
        let root = try await store.log.treeRoot(size: size)
        for (index, path) in zip(indices, proofs) {
            let event = recorded[Int(index)]
            let leaf = EventLeaf.hash(
                position: event.position, version: event.version, recordedAt: event.recordedAt, hash: event.hash,
                event: event.event, data: event.event.canonicalData)
            #expect(MerkleHash.verifyInclusion(index: index, size: size, leafHash: leaf, path: path, root: root))
        }
        for (first, second) in [(Int64(1), size), (255, 256), (300, 511), (size, size)] {
            let proof = try await store.log.consistencyProof(from: first, to: second)
            #expect(try await proof == reference.log.consistencyProof(from: first, to: second))
            #expect(
                try await MerkleHash.verifyConsistency(
                    firstSize: first, secondSize: second, firstRoot: store.log.treeRoot(size: first),
                    secondRoot: store.log.treeRoot(size: second), path: proof))
        }
        let report = try await store.log.verify(expectedDigest: recorded.last?.hashHex, expectedPosition: nil)
        #expect(report.ok, "\(report.problem ?? "")")
        #expect(report.tree == TreeHead(size: size, root: root))
        #expect(report.triggersIntact)
    }

    @Test(arguments: LogBackend.available)
    func aSignedCheckpointIsRecordedVerifiedAndExtendedByLaterAppends(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let signer = try NoteSigner(generatingFor: "example.com/contract")
        try await store.log.append((0..<10).map { ContractEvents.event("UE-a", $0) })
        let signed = try await store.log.signCheckpoint(with: signer) { _ in [] }
        #expect(signed.checkpoint.size == 10)
        #expect(try await signed.checkpoint.root == store.log.treeRoot(size: 10))
        #expect(try SignedCheckpoint(verifying: signed.note, with: signer.verifier) == signed)
        let exportSet = ExportSet(indices: [0, 3])
        let forExport = try await store.log.signCheckpoint(with: signer) { _ in [exportSet.line] }
        #expect(try await store.log.latestCheckpoint() == signed)
        #expect(try await store.log.checkpoints().map(\.signed) == [signed, forExport])
        try await store.log.append((10..<25).map { ContractEvents.event("UE-b", $0) })
        let (head, proof) = try await store.log.proveExtends(signed.checkpoint)
        #expect(head.size == 25)
        #expect(!proof.isEmpty)
        let report = try await store.log.verify(expectedDigest: nil, expectedPosition: nil)
        #expect(report.ok, "\(report.problem ?? "")")
        #expect(report.checkpoints == 2)
    }

    @Test(arguments: LogBackend.available)
    func aCheckpointOfAnotherTreeIsRefusedAndNotRecorded(_ backend: LogBackend) async throws {
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let other = try await LogBackend.sqlite.makeLog()
        let signer = try NoteSigner(generatingFor: "example.com/contract")
        try await store.log.append((0..<5).map { ContractEvents.event("UE-a", $0) })
        try await other.log.append((0..<5).map { ContractEvents.event("UE-a", $0) })
        let foreign = try await other.log.signCheckpoint(with: signer) { _ in [] }
        let error = try await #require(throws: ProofError.self) {
            try await store.log.recordCheckpoint(RecordedCheckpoint(signed: foreign, verifier: signer.verifier))
        }
        #expect(error.code == .inconsistent)
        #expect(try await store.log.checkpoints().isEmpty)
        let refused = try await #require(throws: ProofError.self) {
            try await store.log.proveExtends(foreign.checkpoint)
        }
        #expect(refused.code == .inconsistent)
    }

    @Test(arguments: LogBackend.available)
    func aVerbatimEventThatDoesNotReproduceItsHashIsRefusedWhole(_ backend: LogBackend) async throws {
        let reference = try await LogBackend.sqlite.makeLog()
        try await reference.log.append((0..<6).map { ContractEvents.event("UE-a", $0) })
        var recorded = try await reference.log.events(after: 0, limit: 10)
        recorded[4].event.source = "forged"
        let store = try await backend.makeLog()
        defer { Task { await store.close() } }
        let error = try await #require(throws: EventStoreError.self) {
            try await store.log.appendVerbatim(recorded)
        }
        #expect(error.code == .corrupt)
        #expect(error.position == 5)
        #expect(try await store.log.head().position == 0)
    }
}
