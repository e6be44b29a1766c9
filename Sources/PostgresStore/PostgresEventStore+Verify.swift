import EnrollmentDomain
import EventStore
import PostgresNIO

extension PostgresEventStore {
    /// The triggers that make the log append-only (UPDATE, DELETE and TRUNCATE refused on each table).
    public static let appendOnlyTriggers: Set<String> = Set(
        logTables.flatMap { table in ["update", "delete", "truncate"].map { "\(table)_refuse_\($0)" } })

    /// Walks the whole log in one snapshot (REPEATABLE READ), in pages: every chain hash, every stored Merkle
    /// node against the one recomputed from the events, every recorded checkpoint, and the append-only
    /// triggers (present and enabled). The messages are those of the SQLite store's `verify`.
    public func verify(
        expectedDigest: String?, expectedPosition: Int64?, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> VerifyReport {
        try await transaction(readOnly: true) { [self] connection in
            var triggers: Set<String> = []
            for try await name in try await connection.query(
                """
                SELECT t.tgname FROM pg_trigger t
                WHERE t.tgrelid IN ('events'::regclass, 'merkle_nodes'::regclass, 'checkpoints'::regclass)
                    AND NOT t.tgisinternal AND t.tgenabled <> 'D'
                """, logger: logger
            ).decode(String.self) {
                triggers.insert(name)
            }
            var report = VerifyReport(
                events: 0, headPosition: 0, headHash: EventHashing.genesis.hexString,
                triggersIntact: Self.appendOnlyTriggers.isSubset(of: triggers))
            var audit = LogAudit()
            var hashAtExpectedPosition: String?
            func fail(_ position: Int64, _ problem: String) {
                report.firstBadPosition = position
                report.problem = problem
            }
            walk: while true {
                var rows: [Result<PostgresEventRow.Decoded, EventStoreError>] = []
                for try await row in try await connection.query(
                    """
                    SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE position > \(audit.position)
                    ORDER BY position LIMIT \(Int64(Self.verifyPage))
                    """, logger: logger)
                {
                    do {
                        rows.append(.success(try PostgresEventRow.decode(row)))
                    } catch let error as EventStoreError {
                        rows.append(.failure(error))
                    }
                }
                guard !rows.isEmpty else { break }
                var completed: [LogAudit.Node] = []
                for row in rows {
                    let decoded: PostgresEventRow.Decoded
                    switch row {
                    case .success(let value): decoded = value
                    case .failure(let error):
                        fail(error.position ?? audit.position + 1, "\(error)")
                        break walk
                    }
                    switch audit.check(decoded.recorded, data: decoded.data, flaggedKnown: decoded.flaggedKnown) {
                    case .failure(let problem):
                        fail(problem.position, problem.message)
                        break walk
                    case .success(let nodes):
                        completed += nodes
                    }
                    let position = decoded.recorded.position
                    if position == expectedPosition { hashAtExpectedPosition = audit.previous.hexString }
                    report.events += 1
                    report.headPosition = position
                    report.headHash = audit.previous.hexString
                    if position & 0xFFFF == 0 { progress?(position) }
                }
                let stored = try await PostgresNodes.fetch(
                    Set(completed.map { PostgresNodes.Key(level: $0.level, index: $0.index) }), on: connection,
                    logger: logger)
                for node in completed {
                    if let problem = LogAudit.nodeProblem(
                        node, stored: stored[PostgresNodes.Key(level: node.level, index: node.index)])
                    {
                        fail(node.level == 0 ? node.index + 1 : report.headPosition, problem)
                        break walk
                    }
                }
            }
            let size = audit.position
            report.tree = TreeHead(size: size, root: audit.frontier.root)
            if report.problem == nil {
                let (problem, checkpoints) = try await Self.checkTreeEnd(connection, logger: logger, size: size)
                report.problem = problem
                report.checkpoints = checkpoints
            }
            // A disabled trigger counts as removed: `triggersIntact` lists only enabled ones.
            report.finish(
                expectedDigest: expectedDigest, expectedPosition: expectedPosition,
                hashAtExpectedPosition: hashAtExpectedPosition, medium: "log")
            return report
        }
    }

    /// Events per page of `verify`.
    static let verifyPage = 4096

    /// After the last event: no stored node beyond the tree of `size` leaves, and every recorded checkpoint
    /// a checkpoint of this tree, signed by the key it names.
    private static func checkTreeEnd(_ connection: PostgresConnection, logger: Logger, size: Int64) async throws -> (
        String?, Int
    ) {
        for try await (level, index) in try await connection.query(
            "SELECT level, idx FROM merkle_nodes WHERE idx >= (\(size)::bigint >> level) ORDER BY level, idx LIMIT 1",
            logger: logger
        ).decode((Int16, Int64).self) {
            return ("the Merkle tree holds a node at level \(level), index \(index), beyond the events", 0)
        }
        var rows: [(id: Int64, size: Int64, root: [UInt8], note: String, key: String)] = []
        for try await (id, recordedSize, root, note, key) in try await connection.query(
            "SELECT id, size, root, note, verifier_key FROM checkpoints ORDER BY id", logger: logger
        ).decode((Int64, Int64, ByteBuffer, String, String).self) {
            rows.append((id, recordedSize, Array(root.readableBytesView), note, key))
        }
        var count = 0
        for row in rows {
            let root =
                row.size <= size
                ? try await PostgresNodes.compute(on: connection, logger: logger) { try $0.root(size: row.size) } : []
            if let problem = try LogAudit.checkpointProblem(
                id: row.id, size: row.size, root: row.root, note: row.note, verifierKey: row.key, treeSize: size,
                rootAt: { _ in root })
            {
                return (problem, count)
            }
            count += 1
        }
        return (nil, count)
    }
}
