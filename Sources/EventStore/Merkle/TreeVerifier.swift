import Foundation
import GRDB

/// Recomputes the Merkle tree from the events during `verify` and compares every stored node with it, in
/// one pass and constant memory: the nodes of each level are completed in index order, so one cursor per
/// level (about log₂ n of them) reads the stored ones alongside.
final class TreeVerifier {
    private let db: Database
    private var frontier = MerkleFrontier()
    private var levels: [RowCursor] = []

    init(_ db: Database) {
        self.db = db
    }

    /// The tree's size and root so far.
    var head: TreeHead { TreeHead(size: frontier.size, root: frontier.root) }

    /// Adds the leaf recomputed from the next event.
    ///
    /// - Returns: what is wrong with the stored nodes it completes, or `nil`.
    func append(leafHash: [UInt8]) throws -> String? {
        var problem: String?
        try frontier.append(leafHash: leafHash) { level, index, hash in
            guard problem == nil else { return }
            while levels.count <= level {
                levels.append(
                    try Row.fetchCursor(
                        db, sql: "SELECT idx, hash FROM merkle_nodes WHERE level = ? ORDER BY idx",
                        arguments: [levels.count]))
            }
            let node = LogAudit.Node(level: level, index: index, hash: hash)
            // Read in place (no copy of the blob): two stored nodes are compared per event.
            guard let row = try levels[level].next(), row[0] as Int64? == index else {
                problem = LogAudit.nodeProblem(node, storedMatches: nil)
                return
            }
            let matches = try row.withUnsafeData(atIndex: 1) { $0?.elementsEqual(hash) ?? false }
            problem = LogAudit.nodeProblem(node, storedMatches: matches)
        }
        return problem
    }

    /// After the last event: no stored node may be left over, and every recorded checkpoint must be a
    /// checkpoint of this tree, signed by the key it names.
    ///
    /// - Returns: what is wrong, or `nil`; and how many checkpoints were checked.
    func finish() throws -> (problem: String?, checkpoints: Int) {
        for (level, cursor) in levels.enumerated() {
            if let row = try cursor.next() {
                let index = Int64.fromDatabaseValue(row[0] as DatabaseValue) ?? -1
                return ("the Merkle tree holds a node at level \(level), index \(index), beyond the events", 0)
            }
        }
        if let extra = try Row.fetchOne(
            db, sql: "SELECT level, idx FROM merkle_nodes WHERE level >= ? LIMIT 1", arguments: [levels.count])
        {
            let level: Int64 = extra[0]
            let index: Int64 = extra[1]
            return ("the Merkle tree holds a node at level \(level), index \(index), beyond the events", 0)
        }
        let size = frontier.size
        let proofs = try MerkleNodeReader(db).proofs
        var count = 0
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, size, root, note, verifier_key FROM checkpoints ORDER BY id")
        while let row = try rows.next() {
            let id: Int64 = row[0]
            let recordedSize: Int64 = row[1]
            let recordedRoot = Array(row[2] as Data)
            if let problem = try LogAudit.checkpointProblem(
                id: id, size: recordedSize, root: recordedRoot, note: row[3], verifierKey: row[4], treeSize: size,
                rootAt: { try proofs.root(size: $0) })
            {
                return (problem, count)
            }
            count += 1
        }
        return (nil, count)
    }
}
