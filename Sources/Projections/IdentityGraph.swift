import GRDB

/// The union-find of ids, persisted in SQLite: each id (node) names the root of its set, and the root
/// is always the set's canonical enrollment id.
///
/// The canonical id is chosen by a rule independent of arrival order: the stream of the set's earliest
/// event by (first-hand source before second-hand, `occurred_at`, event id). Each set keeps that key;
/// merging keeps the smaller key's root and relabels the other set's nodes (sets are a handful of ids).
///
/// One graph serves one write transaction. Writes go straight to the tables (so other projections can
/// query them in the same transaction); reads of nodes and keys are cached in memory, since most events
/// only restate links already made. The cache is bounded, and ``discardCaches()`` forgets it when a
/// savepoint rolls the tables back.
final class IdentityGraph {
    /// What makes a set's root canonical: smaller is earlier.
    struct RootKey: Comparable {
        var rank: Int64
        var occurredAt: Int64
        var eventID: String

        static func < (lhs: RootKey, rhs: RootKey) -> Bool {
            (lhs.rank, lhs.occurredAt, lhs.eventID) < (rhs.rank, rhs.occurredAt, rhs.eventID)
        }
    }

    private struct Node {
        var root: String
        var kinds: Int64
    }

    private let db: Database
    private var nodes: [String: Node] = [:]
    private var keys: [String: RootKey] = [:]
    /// How many nodes the cache holds before it is cleared.
    static let cacheLimit = 50_000

    init(db: Database) {
        self.db = db
    }

    /// Forgets everything cached (the tables are the truth).
    func discardCaches() {
        nodes.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
    }

    static let schema = """
        CREATE TABLE identity_nodes (
            id    TEXT PRIMARY KEY,
            root  TEXT NOT NULL,
            kinds INTEGER NOT NULL CHECK (kinds > 0)
        ) WITHOUT ROWID;
        CREATE INDEX identity_nodes_root ON identity_nodes(root);
        CREATE TABLE identity_sets (
            root        TEXT PRIMARY KEY,
            rank        INTEGER NOT NULL,
            occurred_at INTEGER NOT NULL,
            event_id    TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE identity_user_ids (
            aad_user_id TEXT NOT NULL,
            upn         TEXT NOT NULL,
            PRIMARY KEY (aad_user_id, upn)
        ) WITHOUT ROWID;
        CREATE TABLE identity_userless (
            aad_user_id   TEXT NOT NULL,
            stream        TEXT NOT NULL,
            second        INTEGER NOT NULL,
            joins_failure INTEGER NOT NULL CHECK (joins_failure IN (0, 1)),
            PRIMARY KEY (aad_user_id, stream, second, joins_failure)
        ) WITHOUT ROWID;
        """

    static let tables = ["identity_nodes", "identity_sets", "identity_user_ids", "identity_userless"]

    /// The root of `id`'s set, or `nil` when the id is unknown.
    func root(of id: String) throws -> String? {
        try node(id)?.root
    }

    private func node(_ id: String) throws -> Node? {
        if let cached = nodes[id] { return cached }
        let statement = try db.cachedStatement(sql: "SELECT root, kinds FROM identity_nodes WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [SQLText(id)]), let root = row.text(at: 0) else {
            return nil
        }
        let node = Node(root: root, kinds: row[1])
        cache(node, for: id)
        return node
    }

    private func cache(_ node: Node, for id: String) {
        if nodes.count >= Self.cacheLimit { discardCaches() }
        nodes[id] = node
    }

    private func key(of root: String) throws -> RootKey {
        if let cached = keys[root] { return cached }
        let statement = try db.cachedStatement(
            sql: "SELECT rank, occurred_at, event_id FROM identity_sets WHERE root = ?")
        guard let row = try Row.fetchOne(statement, arguments: [SQLText(root)]) else {
            throw DatabaseError(message: "identity set \(root) has no key")
        }
        let key = RootKey(rank: row[0], occurredAt: row[1], eventID: row[2])
        keys[root] = key
        return key
    }

    /// Adds `id` to `root`'s set when it is a new id (`nil`), or returns its node when it is known.
    ///
    /// Tries the insert first: in a bulk ingest most ids are new, and the insert finds a known one itself.
    private func insertOrFindNode(_ id: String, root: String, kinds: IdentityKinds) throws -> Node? {
        if let cached = nodes[id] { return cached }
        try db.cachedStatement(
            sql: "INSERT INTO identity_nodes(id, root, kinds) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING"
        ).execute(arguments: [SQLText(id), SQLText(root), kinds.rawValue])
        guard db.changesCount == 0 else {
            cache(Node(root: root, kinds: kinds.rawValue), for: id)
            return nil
        }
        return try node(id)
    }

    /// Records an event of `stream`: creates its node, or makes it the root when the event is the set's
    /// new earliest.
    ///
    /// - Returns: the root of the stream's set.
    func register(stream: String, key: RootKey) throws -> String {
        guard let node = try insertOrFindNode(stream, root: stream, kinds: .stream) else {
            try db.cachedStatement(
                sql: "INSERT INTO identity_sets(root, rank, occurred_at, event_id) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [SQLText(stream), key.rank, key.occurredAt, key.eventID])
            keys[stream] = key
            return stream
        }
        try addKinds(.stream, to: stream, node)
        let root = node.root
        guard key < (try self.key(of: root)) else { return root }
        if root != stream {
            try relabel(root, to: stream)
        }
        try db.cachedStatement(
            sql: "UPDATE identity_sets SET rank = ?, occurred_at = ?, event_id = ? WHERE root = ?"
        ).execute(arguments: [key.rank, key.occurredAt, key.eventID, SQLText(stream)])
        keys[stream] = key
        return stream
    }

    /// Joins `id` to the set whose root is `root`.
    ///
    /// - Returns: the root of the joined set.
    func link(_ id: String, kind: IdentityKinds, into root: String) throws -> String {
        guard let node = try insertOrFindNode(id, root: root, kinds: kind) else { return root }
        try addKinds(kind, to: id, node)
        let other = node.root
        guard other != root else { return root }
        let (winner, loser) = try key(of: root) <= key(of: other) ? (root, other) : (other, root)
        try relabel(loser, to: winner)
        return winner
    }

    /// Moves every node of `old`'s set to `new` and forgets `old`'s key (`new` keeps or sets its own).
    private func relabel(_ old: String, to new: String) throws {
        let members = try SQLText.fetchAllValues(
            db.cachedStatement(sql: "SELECT id FROM identity_nodes WHERE root = ?"), arguments: [SQLText(old)])
        try db.cachedStatement(sql: "UPDATE identity_nodes SET root = ? WHERE root = ?")
            .execute(arguments: [SQLText(new), SQLText(old)])
        for member in members { nodes[member]?.root = new }
        let oldKey = try key(of: old)
        try db.cachedStatement(sql: "DELETE FROM identity_sets WHERE root = ?").execute(arguments: [SQLText(old)])
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO identity_sets(root, rank, occurred_at, event_id) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [SQLText(new), oldKey.rank, oldKey.occurredAt, oldKey.eventID])
        keys[old] = nil
        keys[new] = nil
    }

    private func addKinds(_ kinds: IdentityKinds, to id: String, _ node: Node) throws {
        guard node.kinds & kinds.rawValue != kinds.rawValue else { return }
        try db.cachedStatement(sql: "UPDATE identity_nodes SET kinds = kinds | ? WHERE id = ?")
            .execute(arguments: [kinds.rawValue, SQLText(id)])
        nodes[id]?.kinds = node.kinds | kinds.rawValue
    }

    /// Records that `aadUserID` is `upn`.
    ///
    /// - Returns: whether this was new.
    func addUser(aadUserID: String, upn: String) throws -> Bool {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO identity_user_ids(aad_user_id, upn) VALUES (?, ?)")
            .execute(arguments: [SQLText(aadUserID), SQLText(upn)])
        return db.changesCount > 0
    }

    /// The UPNs known for an Entra user id, sorted.
    func upns(ofAADUser aadUserID: String) throws -> [String] {
        try SQLText.fetchAllValues(
            db.cachedStatement(sql: "SELECT upn FROM identity_user_ids WHERE aad_user_id = ? ORDER BY upn"),
            arguments: [SQLText(aadUserID)])
    }

    /// The userless events (stream, second) waiting for the UPN of `aadUserID` to join a failure key.
    func userlessFailures(ofAADUser aadUserID: String) throws -> [(stream: String, second: Int64)] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT stream, second FROM identity_userless WHERE aad_user_id = ? AND joins_failure = 1"),
            arguments: [SQLText(aadUserID)]
        ).map { ($0.text(at: 0) ?? "", $0[1]) }
    }

    func addUserless(aadUserID: String, stream: String, second: Int64, joinsFailure: Bool) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO identity_userless(aad_user_id, stream, second, joins_failure)
                VALUES (?, ?, ?, ?)
                """
        ).execute(arguments: [SQLText(aadUserID), SQLText(stream), second, joinsFailure])
    }
}
