import EnrollmentDomain
import EventStore
import PostgresNIO

extension PostgresEventStore {
    public func treeHead() async throws -> TreeHead {
        try await transaction(readOnly: true) { [self] connection in try await Self.treeHead(connection, logger: logger)
        }
    }

    static func treeHead(_ connection: PostgresConnection, logger: Logger) async throws -> TreeHead {
        let size = try await head(connection, logger: logger).position
        let root = try await PostgresNodes.compute(on: connection, logger: logger) { try $0.root(size: size) }
        return TreeHead(size: size, root: root)
    }

    public func treeRoot(size: Int64) async throws -> [UInt8] {
        try await transaction(readOnly: true) { [self] connection in
            try await Self.requireTree(connection, logger: logger, size: size)
            return try await PostgresNodes.compute(on: connection, logger: logger) { try $0.root(size: size) }
        }
    }

    public func inclusionProofs(indices: [Int64], size: Int64) async throws -> [[[UInt8]]] {
        try await transaction(readOnly: true) { [self] connection in
            try await Self.requireTree(connection, logger: logger, size: size)
            for index in indices where index < 0 || index >= size {
                throw EventStoreError(
                    .invalidEvent, "position \(index + 1) is not in the tree of size \(size)", position: index + 1)
            }
            return try await PostgresNodes.compute(on: connection, logger: logger) { proofs in
                try indices.map { try proofs.inclusionProof(index: $0, size: size) }
            }
        }
    }

    public func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]] {
        try await transaction(readOnly: true) { [self] connection in
            try await Self.requireTree(connection, logger: logger, size: second)
            guard first <= second, first >= 0 else {
                throw EventStoreError(.invalidEvent, "a tree of \(second) events cannot extend one of \(first)")
            }
            return try await PostgresNodes.compute(on: connection, logger: logger) {
                try $0.consistencyProof(first: first, second: second)
            }
        }
    }

    /// Refuses a size beyond the log.
    static func requireTree(_ connection: PostgresConnection, logger: Logger, size: Int64) async throws {
        let head = try await head(connection, logger: logger).position
        guard size >= 0, size <= head else {
            throw EventStoreError(.invalidEvent, "the log holds \(head) events, not \(size)")
        }
    }
}
