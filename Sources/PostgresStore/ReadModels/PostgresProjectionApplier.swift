import EventStore
import PostgresNIO
import Projections

/// The folds' row changes applied to the PostgreSQL tables, in the append transaction, on the fold thread
/// (``PostgresFoldThread``). Each kind of change is one statement over the whole drain, not one per row:
/// `unnest` of arrays for the keys and the non-null columns, a multi-row VALUES for `device_status` (whose
/// columns may be NULL), and one statement per aggregate table that deletes the counts reaching 0, adds to
/// the others and inserts the new keys (``FleetStatsDeltas``). Rows go in key order, as on SQLite. Every
/// text is bound as stored (``PostgresText``), so U+0000 is kept as on SQLite.
struct PostgresProjectionApplier: ProjectionApplier {
    let thread: PostgresFoldThread

    func apply(_ changes: IdentityChanges) throws {
        try write(changes)
    }

    /// The aggregate is always counted here: PostgreSQL's tables keep their indexes and aggregate from
    /// the migration on, so there is no fill-from-empty path that counts it at the end.
    func apply(_ changes: DeviceStatusChanges, countingAggregate: Bool) throws {
        try write(changes, countingAggregate: countingAggregate)
    }

    private func write(_ changes: IdentityChanges) throws {
        var nodeIDs: [String] = []
        var nodeRoots: [String] = []
        var nodeKinds: [Int64] = []
        var goneNodes: [String] = []
        for (id, change) in changes.nodes.sorted {
            switch change {
            case .upsert(let node):
                nodeIDs.append(PostgresText.encode(id))
                nodeRoots.append(PostgresText.encode(node.root))
                nodeKinds.append(node.kinds)
            case .delete: goneNodes.append(PostgresText.encode(id))
            }
        }
        if !goneNodes.isEmpty { try thread.execute("DELETE FROM identity_nodes WHERE id = ANY(\(goneNodes))") }
        if !nodeIDs.isEmpty {
            try thread.execute(
                """
                INSERT INTO identity_nodes (id, root, kinds)
                SELECT * FROM unnest(\(nodeIDs)::text[], \(nodeRoots)::text[], \(nodeKinds)::bigint[])
                ON CONFLICT (id) DO UPDATE SET root = excluded.root, kinds = excluded.kinds
                """)
        }
        var setRoots: [String] = []
        var ranks: [Int64] = []
        var occurred: [Int64] = []
        var eventIDs: [String] = []
        var goneSets: [String] = []
        for (root, change) in changes.sets.sorted {
            switch change {
            case .upsert(let key):
                setRoots.append(PostgresText.encode(root))
                ranks.append(key.rank)
                occurred.append(key.occurredAt)
                eventIDs.append(PostgresText.encode(key.eventID))
            case .delete: goneSets.append(PostgresText.encode(root))
            }
        }
        if !goneSets.isEmpty { try thread.execute("DELETE FROM identity_sets WHERE root = ANY(\(goneSets))") }
        if !setRoots.isEmpty {
            try thread.execute(
                """
                INSERT INTO identity_sets (root, rank, occurred_at, event_id)
                SELECT * FROM unnest(\(setRoots)::text[], \(ranks)::bigint[], \(occurred)::bigint[], \(eventIDs)::text[])
                ON CONFLICT (root) DO UPDATE SET
                    rank = excluded.rank, occurred_at = excluded.occurred_at, event_id = excluded.event_id
                """)
        }
        let users = changes.userIDs.sorted()
        if !users.isEmpty {
            try thread.execute(
                """
                INSERT INTO identity_user_ids (aad_user_id, upn)
                SELECT * FROM unnest(\(users.map { PostgresText.encode($0.aadUserID) })::text[], \(users.map { PostgresText.encode($0.upn) })::text[])
                ON CONFLICT DO NOTHING
                """)
        }
        let userless = changes.userless.sorted()
        if !userless.isEmpty {
            let joins = userless.map { Int64($0.joinsFailure ? 1 : 0) }
            try thread.execute(
                """
                INSERT INTO identity_userless (aad_user_id, stream, second, joins_failure)
                SELECT * FROM unnest(\(userless.map { PostgresText.encode($0.aadUserID) })::text[],
                    \(userless.map { PostgresText.encode($0.stream) })::text[],
                    \(userless.map(\.second))::bigint[], \(joins)::bigint[])
                ON CONFLICT DO NOTHING
                """)
        }
    }

    private func write(_ changes: DeviceStatusChanges, countingAggregate: Bool) throws {
        var upserts: [DeviceStatusRow] = []
        var deletes: [String] = []
        for (enrollment, change) in changes.rows.sorted {
            switch change {
            case .upsert(let row): upserts.append(row)
            case .delete: deletes.append(PostgresText.encode(enrollment))
            }
        }
        if !deletes.isEmpty { try thread.execute("DELETE FROM device_status WHERE enrollment = ANY(\(deletes))") }
        let columns = PostgresDeviceStatusColumns.names
        let insert = PostgresMultiRowInsert(
            head: "INSERT INTO device_status (\(columns.joined(separator: ", ")))",
            tail: "ON CONFLICT (enrollment) DO UPDATE SET "
                + columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", "),
            columns: columns.count)
        for statement in insert.statements(upserts, bind: PostgresDeviceStatusColumns.bind) {
            try thread.execute(statement)
        }
        if countingAggregate { try apply(changes.fleetStats) }
    }

    private func apply(_ deltas: FleetStatsDeltas) throws {
        let counts = deltas.counts.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        if !counts.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(counts.map { $0.key.day })
            bindings.append(counts.map { PostgresText.encode($0.key.state) })
            bindings.append(counts.map { $0.key.stepIndex })
            bindings.append(counts.map { PostgresText.encode($0.key.failureStep) })
            bindings.append(counts.map { PostgresText.encode($0.key.failureReason) })
            bindings.append(counts.map { $0.value })
            try thread.execute(
                Self.deltas(
                    table: "fleet_stats",
                    keys: [
                        ("day", "bigint"), ("state", "text"), ("step_index", "bigint"), ("failure_step", "text"),
                        ("failure_reason", "text"),
                    ], bindings: bindings))
        }
        let times = deltas.times.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        if !times.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(times.map { $0.key.day })
            bindings.append(times.map { $0.key.bucket })
            bindings.append(times.map { $0.value })
            try thread.execute(
                Self.deltas(
                    table: "fleet_stats_time_to_enroll", keys: [("day", "bigint"), ("bucket", "bigint")],
                    bindings: bindings))
        }
    }

    /// One statement that applies per-key deltas (the last bound array) to a count table: a count that
    /// reaches 0 is deleted, another is added to, a key without a row is inserted. A count that would go
    /// below 0, or a negative delta for a key without a row, fails the table's CHECK (the aggregate and
    /// `device_status` disagree: the transaction rolls back), as on SQLite.
    static func deltas(table: String, keys: [(name: String, type: String)], bindings: PostgresBindings)
        -> PostgresQuery
    {
        let order = keys.map(\.name)
        let arrays = keys.enumerated().map { "$\($0.offset + 1)::\($0.element.type)[]" }
        let list = order.joined(separator: ", ")
        func matching(_ left: String, _ right: String) -> String {
            order.map { "\(left).\($0) = \(right).\($0)" }.joined(separator: " AND ")
        }
        return PostgresQuery(
            unsafeSQL: """
                WITH d AS (
                    SELECT * FROM unnest(\(arrays.joined(separator: ", ")), $\(order.count + 1)::bigint[])
                        AS d(\(list), delta)
                ), gone AS (
                    DELETE FROM \(table) t USING d WHERE \(matching("t", "d")) AND t.enrollments + d.delta = 0
                    RETURNING \(order.map { "t.\($0)" }.joined(separator: ", "))
                ), changed AS (
                    UPDATE \(table) t SET enrollments = t.enrollments + d.delta FROM d
                    WHERE \(matching("t", "d")) AND t.enrollments + d.delta <> 0
                    RETURNING \(order.map { "t.\($0)" }.joined(separator: ", "))
                )
                INSERT INTO \(table) (\(list), enrollments)
                SELECT \(order.map { "d.\($0)" }.joined(separator: ", ")), d.delta FROM d
                WHERE NOT EXISTS (SELECT 1 FROM gone g WHERE \(matching("g", "d")))
                    AND NOT EXISTS (SELECT 1 FROM changed c WHERE \(matching("c", "d")))
                """, binds: bindings)
    }
}
