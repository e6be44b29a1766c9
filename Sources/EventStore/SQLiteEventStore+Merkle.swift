import EnrollmentDomain
import Foundation
import GRDB

/// The size and root of the store's Merkle tree at one moment.
public struct TreeHead: Sendable, Hashable {
    /// The number of leaves: the events at positions 1 … size.
    public var size: Int64
    /// The RFC 9162 root of those leaves.
    public var root: [UInt8]

    public init(size: Int64, root: [UInt8]) {
        self.size = size
        self.root = root
    }
}

extension SQLiteEventStore {
    /// The tree of every event stored now.
    public func treeHead() throws -> TreeHead {
        try translatingErrors {
            try pool.read { db in try Self.treeHead(db) }
        }
    }

    /// The root of the tree of the first `size` events.
    public func treeRoot(size: Int64) throws -> [UInt8] {
        try translatingErrors {
            try pool.read { db in
                try Self.requireTree(db, size: size)
                return try MerkleNodeReader(db).proofs.root(size: size)
            }
        }
    }

    /// The inclusion proof (RFC 9162 §2.1.3.1) of each leaf index in the tree of `size` events, in the order given.
    ///
    /// Leaf `i` is the event at position `i + 1`. Reads O(log n) stored nodes per proof, sharing the upper ones.
    public func inclusionProofs(indices: [Int64], size: Int64) throws -> [[[UInt8]]] {
        try translatingErrors {
            try pool.read { db in
                try Self.requireTree(db, size: size)
                let proofs = try MerkleNodeReader(db).proofs
                return try indices.map { index in
                    guard index >= 0, index < size else {
                        throw EventStoreError(
                            .invalidEvent, "position \(index + 1) is not in the tree of size \(size)",
                            position: index + 1)
                    }
                    return try proofs.inclusionProof(index: index, size: size)
                }
            }
        }
    }

    /// The consistency proof (RFC 9162 §2.1.4.1) that the tree of `second` events extends that of `first`.
    public func consistencyProof(from first: Int64, to second: Int64) throws -> [[UInt8]] {
        try translatingErrors {
            try pool.read { db in
                try Self.requireTree(db, size: second)
                guard first <= second else {
                    throw EventStoreError(.invalidEvent, "a tree of \(second) events cannot extend one of \(first)")
                }
                return try MerkleNodeReader(db).proofs.consistencyProof(first: first, second: second)
            }
        }
    }

    static func treeHead(_ db: Database) throws -> TreeHead {
        let size = try Int64.fetchOne(db, sql: "SELECT position FROM events ORDER BY position DESC LIMIT 1") ?? 0
        return TreeHead(size: size, root: try MerkleNodeReader(db).proofs.root(size: size))
    }

    /// Refuses a size beyond the log.
    static func requireTree(_ db: Database, size: Int64) throws {
        let head = try Int64.fetchOne(db, sql: "SELECT position FROM events ORDER BY position DESC LIMIT 1") ?? 0
        guard size >= 0, size <= head else {
            throw EventStoreError(.invalidEvent, "the log holds \(head) events, not \(size)")
        }
    }
}
