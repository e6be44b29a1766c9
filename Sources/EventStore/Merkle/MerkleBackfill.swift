import Foundation
import GRDB

/// Builds the Merkle tree of a store written before the tree existed (migration `0002_merkle_tree`).
///
/// Runs inside the migration's transaction: it reads every event in position order (constant memory),
/// computes its leaf exactly as an append does, and stores the completed nodes. The old chain `hash`
/// column is kept and is part of each leaf, so the chain keeps verifying and the tree covers it.
enum MerkleBackfill {
    @Sendable static func run(_ db: Database) throws {
        var dictionaries: [Int64: [UInt8]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, bytes FROM payload_dictionaries") {
            let bytes: Data = row[1]
            dictionaries[row[0]] = Array(bytes)
        }
        let codec = PayloadCodec(compression: .none, dictionaries: dictionaries)
        let tree = try MerkleTreeWriter(db)
        var size: Int64 = 0
        try SQLiteEventStore.forEachStoredEvent(db, codec: codec, after: 0, limit: nil) { stored in
            let recorded = stored.recorded
            guard recorded.position == size + 1 else {
                throw EventStoreError(
                    .corrupt, "the log has a gap before position \(recorded.position): its tree cannot be built",
                    position: recorded.position)
            }
            let leaf = EventLeaf.hash(
                position: recorded.position, version: recorded.version, recordedAt: recorded.recordedAt,
                hash: recorded.hash, event: recorded.event, data: stored.data)
            try tree.append(leafHash: leaf, treeSize: size)
            size += 1
            return true
        }
    }
}
