import EventStore
import PostgresNIO

/// Reads stored Merkle tree nodes by (level, index), many in one query.
enum PostgresNodes {
    struct Key: Hashable, Sendable {
        var level: Int
        var index: Int64
    }

    /// The stored nodes among `keys` (a missing one is simply absent from the answer).
    static func fetch(_ keys: Set<Key>, on connection: PostgresConnection, logger: Logger) async throws -> [Key:
        [UInt8]]
    {
        guard !keys.isEmpty else { return [:] }
        let list = Array(keys)
        let levels = list.map { Int16($0.level) }
        let indices = list.map(\.index)
        var nodes: [Key: [UInt8]] = [:]
        nodes.reserveCapacity(list.count)
        for try await (level, index, hash) in try await connection.query(
            """
            SELECT n.level, n.idx, n.hash FROM unnest(\(levels)::smallint[], \(indices)::bigint[]) AS k(level, idx)
            JOIN merkle_nodes n ON n.level = k.level AND n.idx = k.idx
            """, logger: logger
        ).decode((Int16, Int64, ByteBuffer).self) {
            nodes[Key(level: Int(level), index: index)] = Array(hash.readableBytesView)
        }
        return nodes
    }

    /// The node (level, index) of `nodes`, or `corrupt` when the store lacks it.
    static func require(_ nodes: [Key: [UInt8]], level: Int, index: Int64) throws -> [UInt8] {
        guard let hash = nodes[Key(level: level, index: index)], hash.count == 32 else {
            throw EventStoreError(
                .corrupt, "the Merkle tree lacks its node at level \(level), index \(index)",
                position: level == 0 ? index + 1 : nil)
        }
        return hash
    }

    /// Computes with ``MerkleProofs`` over the stored nodes: a first pass with placeholder hashes lists the
    /// nodes the computation reads (which depends on sizes and indices only), one query fetches them, and a
    /// second pass computes with them.
    static func compute<T>(
        on connection: PostgresConnection, logger: Logger, _ body: (MerkleProofs) throws -> T
    ) async throws -> T {
        let recorder = NodeRecorder()
        let placeholder = [UInt8](repeating: 0, count: 32)
        _ = try body(
            MerkleProofs { level, index in
                recorder.keys.insert(Key(level: level, index: index))
                return placeholder
            })
        let nodes = try await fetch(recorder.keys, on: connection, logger: logger)
        return try body(MerkleProofs { level, index in try require(nodes, level: level, index: index) })
    }
}

/// The nodes a ``MerkleProofs`` computation asked for (``PostgresNodes/compute(on:logger:_:)``).
private final class NodeRecorder {
    var keys: Set<PostgresNodes.Key> = []
}
