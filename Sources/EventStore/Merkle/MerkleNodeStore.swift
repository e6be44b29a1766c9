import Foundation
import GRDB
import GRDBSQLite

/// The `INSERT` of one tree node into `merkle_nodes`, one prepared statement bound with the SQLite C API
/// (the append path writes about two nodes per event).
struct MerkleNodeInsert {
    private let db: Database
    private let statement: Statement

    init(_ db: Database) throws {
        self.db = db
        statement = try db.cachedStatement(sql: "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
    }

    func insert(level: Int, index: Int64, hash: Digest32) throws {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        sqlite3_bind_int64(handle, 1, Int64(level))
        sqlite3_bind_int64(handle, 2, index)
        // Bound in place (no copy): the hash is borrowed until the step returns.
        try hash.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, 3, bytes.baseAddress, Int32(bytes.count), sqliteStatic)
            try EventRowInsert.step(statement, in: db)
        }
    }
}

/// Reads stored tree nodes inside one database access, remembering the ones it read (a batch of proofs
/// shares most of its upper nodes).
final class MerkleNodeReader {
    private let statement: Statement
    private var memo: [Int64: [UInt8]] = [:]

    init(_ db: Database) throws {
        statement = try db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
    }

    /// The node (level, index).
    ///
    /// - Throws: `corrupt` when the store lacks it (the tree table was damaged).
    func node(level: Int, index: Int64) throws -> [UInt8] {
        let key = index << 6 | Int64(level)
        if let known = memo[key] { return known }
        guard let data = try Data.fetchOne(statement, arguments: [level, index]), data.count == 32 else {
            throw EventStoreError(
                .corrupt, "the Merkle tree lacks its node at level \(level), index \(index)",
                position: level == 0 ? index + 1 : nil)
        }
        let hash = Array(data)
        if memo.count > 100_000 { memo.removeAll(keepingCapacity: true) }
        memo[key] = hash
        return hash
    }

    /// The node (level, index) as an inline digest (see ``node(level:index:)``).
    func digest(level: Int, index: Int64) throws -> Digest32 {
        let bytes = try node(level: level, index: index)
        guard let digest = Digest32(bytes: bytes) else {
            throw EventStoreError(.corrupt, "the Merkle tree's node at level \(level), index \(index) is not 32 bytes")
        }
        return digest
    }

    /// Roots and proofs over the stored nodes.
    var proofs: MerkleProofs {
        MerkleProofs { [self] level, index in try node(level: level, index: index) }
    }

    /// The frontier of the tree of `size` leaves.
    func frontier(size: Int64) throws -> MerkleFrontier {
        try MerkleFrontier(size: size, digest: { level, index in try digest(level: level, index: index) })
    }
}
