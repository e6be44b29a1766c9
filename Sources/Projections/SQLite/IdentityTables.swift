import GRDB

/// The identity projection's tables in SQLite: each id (node) names the root of its set, and the root is
/// always the set's canonical enrollment id (``IdentityFold``).
enum IdentityTables {
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
}

/// The identity tables read with point queries, as ``IdentityFold`` and the queries need them.
struct SQLiteIdentityState: IdentityStateReading {
    let db: Database

    func node(_ id: String) throws -> IdentityNodeRow? {
        let statement = try db.cachedStatement(sql: "SELECT root, kinds FROM identity_nodes WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [SQLText(id)]), let root = row.text(at: 0) else {
            return nil
        }
        return IdentityNodeRow(root: root, kinds: row[1])
    }

    func set(_ root: String) throws -> IdentitySetRow? {
        let statement = try db.cachedStatement(
            sql: "SELECT rank, occurred_at, event_id FROM identity_sets WHERE root = ?")
        return try Row.fetchOne(statement, arguments: [SQLText(root)]).map {
            IdentitySetRow(rank: $0[0], occurredAt: $0[1], eventID: $0[2])
        }
    }

    func members(ofRoot root: String) throws -> [(id: String, node: IdentityNodeRow)] {
        let statement = try db.cachedStatement(sql: "SELECT id, kinds FROM identity_nodes WHERE root = ?")
        return try Row.fetchAll(statement, arguments: [SQLText(root)]).map {
            (id: $0.text(at: 0) ?? "", node: IdentityNodeRow(root: root, kinds: $0[1]))
        }
    }

    /// Sorted by UPN.
    func upns(ofAADUser aadUserID: String) throws -> [String] {
        try SQLText.fetchAllValues(
            db.cachedStatement(sql: "SELECT upn FROM identity_user_ids WHERE aad_user_id = ? ORDER BY upn"),
            arguments: [SQLText(aadUserID)])
    }

    func userless(ofAADUser aadUserID: String) throws -> [IdentityUserlessRow] {
        let statement = try db.cachedStatement(
            sql: "SELECT stream, second, joins_failure FROM identity_userless WHERE aad_user_id = ?")
        return try Row.fetchAll(statement, arguments: [SQLText(aadUserID)]).map {
            IdentityUserlessRow(aadUserID: aadUserID, stream: $0.text(at: 0) ?? "", second: $0[1], joinsFailure: $0[2])
        }
    }
}

extension IdentityChanges {
    /// Applies the changes to the identity tables: each changed row once, in key order.
    func write(_ db: Database) throws {
        let upsertNode = try db.cachedStatement(
            sql: """
                INSERT INTO identity_nodes(id, root, kinds) VALUES (?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET root = excluded.root, kinds = excluded.kinds
                """)
        let deleteNode = try db.cachedStatement(sql: "DELETE FROM identity_nodes WHERE id = ?")
        for (id, change) in nodes.sorted {
            switch change {
            case .upsert(let node): try upsertNode.execute(arguments: [SQLText(id), SQLText(node.root), node.kinds])
            case .delete: try deleteNode.execute(arguments: [SQLText(id)])
            }
        }
        let upsertSet = try db.cachedStatement(
            sql: """
                INSERT INTO identity_sets(root, rank, occurred_at, event_id) VALUES (?, ?, ?, ?)
                    ON CONFLICT(root) DO UPDATE SET
                        rank = excluded.rank, occurred_at = excluded.occurred_at, event_id = excluded.event_id
                """)
        let deleteSet = try db.cachedStatement(sql: "DELETE FROM identity_sets WHERE root = ?")
        for (root, change) in sets.sorted {
            switch change {
            case .upsert(let key):
                try upsertSet.execute(arguments: [SQLText(root), key.rank, key.occurredAt, key.eventID])
            case .delete: try deleteSet.execute(arguments: [SQLText(root)])
            }
        }
        let insertUser = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO identity_user_ids(aad_user_id, upn) VALUES (?, ?)")
        for row in userIDs.sorted() { try insertUser.execute(arguments: [SQLText(row.aadUserID), SQLText(row.upn)]) }
        let insertUserless = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO identity_userless(aad_user_id, stream, second, joins_failure)
                VALUES (?, ?, ?, ?)
                """)
        for row in userless.sorted() {
            try insertUserless.execute(
                arguments: [SQLText(row.aadUserID), SQLText(row.stream), row.second, row.joinsFailure])
        }
    }
}
