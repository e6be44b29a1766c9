import EnrollmentDomain
import EventStore
import PostgresNIO

extension PostgresEventStore {
    public func signCheckpoint(
        with signer: NoteSigner, extensions: @escaping @Sendable (TreeHead) throws -> [String]
    ) async throws -> SignedCheckpoint {
        try await transaction { [self] connection in
            let head = try await Self.treeHead(connection, logger: logger)
            let checkpoint = Checkpoint(
                origin: signer.name, size: head.size, root: head.root, extensions: try extensions(head))
            let signed = try SignedCheckpoint(signing: checkpoint, with: signer)
            try await Self.insert(RecordedCheckpoint(signed: signed, verifier: signer.verifier), connection, logger)
            return signed
        }
    }

    public func checkpoints() async throws -> [RecordedCheckpoint] {
        try await transaction(readOnly: true) { [self] connection in
            var recorded: [RecordedCheckpoint] = []
            for try await (note, key) in try await connection.query(
                "SELECT note, verifier_key FROM checkpoints ORDER BY id", logger: logger
            ).decode((String, String).self) {
                let verifier = try NoteVerifier(encoded: key)
                recorded.append(
                    RecordedCheckpoint(
                        signed: try SignedCheckpoint(verifying: note, with: verifier), verifier: verifier))
            }
            return recorded
        }
    }

    public func recordCheckpoint(_ checkpoint: RecordedCheckpoint) async throws {
        try await transaction { [self] connection in try await Self.record(checkpoint, connection, logger) }
    }

    /// Records `checkpoint` in the transaction of `connection`, once the tree there reproduces its root.
    static func record(_ checkpoint: RecordedCheckpoint, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        let size = checkpoint.signed.checkpoint.size
        let stored = try await Self.head(connection, logger: logger).position
        let root =
            size <= stored
            ? try await PostgresNodes.compute(on: connection, logger: logger) { try $0.root(size: size) } : nil
        guard root == checkpoint.signed.checkpoint.root else {
            throw ProofError(
                .inconsistent,
                "the copied log does not reproduce the checkpoint of \(size) events its proofs are against")
        }
        try await insert(checkpoint, connection, logger)
    }

    static func insert(_ recorded: RecordedCheckpoint, _ connection: PostgresConnection, _ logger: Logger) async throws
    {
        let checkpoint = recorded.signed.checkpoint
        try await connection.query(
            """
            INSERT INTO checkpoints (size, root, origin, verifier_key, note, created_at)
            VALUES (\(checkpoint.size), \(ByteBuffer(bytes: checkpoint.root)), \(checkpoint.origin),
                \(recorded.verifier.encoded), \(recorded.signed.note), \(now().milliseconds))
            """, logger: logger)
    }
}
