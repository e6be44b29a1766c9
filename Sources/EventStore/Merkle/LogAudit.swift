import EnrollmentDomain

/// What `verify` checks of each event and each recorded checkpoint, independent of the backend: the
/// position follows, the chain hash is reproduced, the `known_type` flag is honest, and the event's leaf
/// completes the tree nodes that the store must hold.
///
/// A backend feeds it the events in position order and compares the nodes it reports with its stored
/// ones (the PostgreSQL backend does; the SQLite store walks its own cursors, with the same messages).
public struct LogAudit: Sendable {
    /// The chain hash of the last event checked (the genesis hash before the first).
    public private(set) var previous = EventHashing.genesis
    /// The tree of the events checked so far.
    public private(set) var frontier = MerkleFrontier()
    /// The last position checked.
    public var position: Int64 { frontier.size }

    public init() {}

    /// A tree node the store must hold.
    public struct Node: Sendable, Hashable {
        public var level: Int
        public var index: Int64
        public var hash: [UInt8]
    }

    /// Checks the next event (`data`: its canonical JSON as stored; `flaggedKnown`: its `known_type`).
    ///
    /// - Returns: what is wrong, or the nodes its leaf completes (to compare with the stored ones).
    public mutating func check(_ recorded: RecordedEvent, data: [UInt8], flaggedKnown: Bool) -> Result<
        [Node], Problem
    > {
        let expected = position + 1
        guard recorded.position == expected else {
            return .failure(
                Problem(
                    position: expected,
                    message: recorded.position > expected
                        ? "event at position \(expected) is missing" : "positions out of order"))
        }
        let canonical = EventHashing.canonicalBytes(
            position: recorded.position, version: recorded.version, recordedAt: recorded.recordedAt,
            event: recorded.event, data: data)
        let hash = EventHashing.chain(previous: previous, canonical: canonical)
        guard hash == recorded.hash else {
            return .failure(
                Problem(
                    position: expected,
                    message: "the hash at position \(expected) does not match its content and predecessor"))
        }
        if flaggedKnown && !recorded.event.isKnownType {
            return .failure(
                Problem(
                    position: expected,
                    message: "position \(expected) is flagged as a known type, but '\(recorded.event.type)' is not"))
        }
        let leaf = EventLeaf.hash(
            position: recorded.position, version: recorded.version, recordedAt: recorded.recordedAt, hash: hash,
            event: recorded.event, data: data)
        var nodes: [Node] = []
        frontier.append(leafHash: leaf) { level, index, hash in
            nodes.append(Node(level: level, index: index, hash: hash))
        }
        previous = hash
        return .success(nodes)
    }

    /// A failed check: the first position that breaks, and why.
    public struct Problem: Error, Sendable, Hashable {
        public var position: Int64
        public var message: String
    }

    /// What is wrong with a stored node, compared with the one recomputed (`nil`: it is missing).
    public static func nodeProblem(_ node: Node, stored: [UInt8]?) -> String? {
        nodeProblem(node, storedMatches: stored.map { $0 == node.hash })
    }

    /// What is wrong with a stored node, given whether it equals the one recomputed (`nil`: it is missing),
    /// for a caller that compares the stored bytes in place.
    public static func nodeProblem(_ node: Node, storedMatches: Bool?) -> String? {
        guard let storedMatches else {
            return "the Merkle tree lacks its node at level \(node.level), index \(node.index)"
        }
        guard !storedMatches else { return nil }
        return node.level == 0
            ? "the Merkle tree's leaf \(node.index) does not match the event at position \(node.index + 1)"
            : "the Merkle tree's node at level \(node.level), index \(node.index) does not match the events below it"
    }

    /// What is wrong with recorded checkpoint `id`, or `nil` when it verifies with its key, its note states
    /// the recorded size and root, and it is a checkpoint of this log (`root(size)` from the checked tree).
    public static func checkpointProblem(
        id: Int64, size: Int64, root: [UInt8], note: String, verifierKey: String, treeSize: Int64,
        rootAt: (Int64) throws -> [UInt8]
    ) throws -> String? {
        let signed: SignedCheckpoint
        do {
            signed = try SignedCheckpoint(verifying: note, with: NoteVerifier(encoded: verifierKey))
        } catch {
            return "recorded checkpoint \(id) does not verify: \(error)"
        }
        guard signed.checkpoint.size == size, signed.checkpoint.root == root, size <= treeSize else {
            return "recorded checkpoint \(id) does not match its note, or is beyond the log"
        }
        guard try rootAt(size) == root else {
            return "recorded checkpoint \(id) (size \(size)) is not a checkpoint of this log: history was rewritten"
        }
        return nil
    }

    /// Refuses a checkpoint of more events than the tree `head` holds (events were removed).
    public static func requireSize(of older: Checkpoint, within head: TreeHead) throws {
        guard older.size <= head.size else {
            throw ProofError(
                .inconsistent,
                "the checkpoint is of \(older.size) events, but the store holds \(head.size): events were removed")
        }
    }

    /// Refuses a consistency `proof` that does not show the tree `head` extending `older` (RFC 9162 §2.1.4.2).
    public static func requireExtends(_ older: Checkpoint, head: TreeHead, proof: [[UInt8]]) throws {
        guard
            MerkleHash.verifyConsistency(
                firstSize: older.size, secondSize: head.size, firstRoot: older.root, secondRoot: head.root, path: proof)
        else {
            throw ProofError(
                .inconsistent,
                "the store's tree of \(head.size) events does not extend the checkpoint of \(older.size): history was rewritten"
            )
        }
    }
}
