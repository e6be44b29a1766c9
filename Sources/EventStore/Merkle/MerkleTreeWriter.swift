import GRDB

/// Grows the stored Merkle tree inside one write transaction: the right edge in memory (read from the
/// stored nodes on the first append), each completed node written once with one prepared statement.
///
/// The append path uses it for every event; it is public so that the benchmarks can time the tree's
/// share of an ingest on its own.
public final class MerkleTreeWriter {
    private let db: Database
    private let insert: MerkleNodeInsert
    private var frontier = MerkleFrontier()
    private var loaded = false

    /// A writer for the `merkle_nodes` table of `db` (any database with that table).
    public init(_ db: Database) throws {
        self.db = db
        insert = try MerkleNodeInsert(db)
    }

    /// The tree so far (after the first append; before it, the empty tree).
    public var head: TreeHead { TreeHead(size: frontier.size, root: frontier.root) }

    /// Appends the leaf with hash `leafHash` as leaf `size` of a tree that held `size` leaves when the
    /// transaction began plus those appended since.
    ///
    /// - Precondition: `leafHash` is 32 bytes.
    public func append(leafHash: [UInt8], treeSize size: Int64) throws {
        guard let leaf = Digest32(bytes: leafHash) else {
            preconditionFailure("a Merkle leaf hash of \(leafHash.count) bytes, not 32")
        }
        try append(leaf: leaf, treeSize: size)
    }

    /// Appends the leaf with hash `leaf` as ``append(leafHash:treeSize:)`` does, with no heap allocation
    /// per node.
    public func append(leaf: Digest32, treeSize size: Int64) throws {
        if !loaded {
            frontier = try MerkleNodeReader(db).frontier(size: size)
            loaded = true
        }
        try frontier.append(leaf: leaf) { level, index, hash in
            try insert.insert(level: level, index: index, hash: hash)
        }
    }

    /// The in-memory state, to restore when a savepoint that covered appends rolls back.
    var state: (MerkleFrontier, Bool) {
        get { (frontier, loaded) }
        set { (frontier, loaded) = newValue }
    }
}
