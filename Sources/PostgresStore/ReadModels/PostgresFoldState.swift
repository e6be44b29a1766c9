import EnrollmentDomain
import Foundation
import PostgresNIO
import Projections

/// What ``IdentityFold`` and ``DeviceStatusFold`` read, from PostgreSQL: point reads of the read models'
/// tables and of the log, in the append transaction (so they see its own writes), one round trip each,
/// waited for on the fold thread (``PostgresFoldThread``). What the identity fold looks up first for a
/// batch is read ahead in three queries (``prefetchIdentity(ids:)``), and what the `device_status` drain
/// reads of the streams a batch touched in four (``prefetch(streams:)``). Texts are bound and read as
/// stored (``PostgresText``).
final class PostgresFoldState: IdentityStateReading, DeviceStatusStateReading {
    private let thread: PostgresFoldThread
    /// Read ahead of the device status drain, for the streams of the batch: their roots (`nil` for none),
    /// the streams of those roots, and the `device_status` rows of those streams (`rowsRead` lists the
    /// enrollments looked up, with a row or without).
    private var roots: [String: String?] = [:]
    private var streamsByRoot: [String: [String]] = [:]
    private var rowsByEnrollment: [String: DeviceStatusRow] = [:]
    private var rowsRead: Set<String> = []
    /// The events of the streams of those roots, by stream (`prefetch(streams:)`).
    private var eventsByStream: [String: [RecordedEvent]] = [:]
    /// Read ahead of the identity fold, as the tables stood at its last drain: nodes by id (`nil`: none),
    /// set keys by root (`nil`: none), and the members of those roots.
    private var knownNodes: [String: IdentityNodeRow?] = [:]
    private var knownSets: [String: IdentitySetRow?] = [:]
    private var knownMembers: [String: [(id: String, node: IdentityNodeRow)]] = [:]

    init(_ thread: PostgresFoldThread) {
        self.thread = thread
    }

    // MARK: IdentityStateReading

    /// Reads, in three queries, the nodes of `ids` (present or not), the set keys of their roots and
    /// every member of those roots, for ``node(_:)``, ``set(_:)`` and ``members(ofRoot:)``. Valid until
    /// the identity fold's next drain is applied: call ``forgetIdentity()`` then.
    func prefetchIdentity(ids: [String]) throws {
        forgetIdentity()
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return }
        for id in unique { knownNodes[id] = IdentityNodeRow?.none }
        var roots: Set<String> = []
        for row in try thread.rows(
            "SELECT id, root, kinds FROM identity_nodes WHERE id = ANY(\(PostgresText.encode(unique)))")
        {
            let (id, root, kinds) = try row.decode((String, String, Int64).self)
            knownNodes[PostgresText.decode(id)] = IdentityNodeRow(root: PostgresText.decode(root), kinds: kinds)
            roots.insert(root)
        }
        guard !roots.isEmpty else { return }
        // `roots` and `found` hold the roots as stored.
        let found = Array(roots)
        for root in found.map({ PostgresText.decode($0) }) {
            knownSets[root] = IdentitySetRow?.none
            knownMembers[root] = []
        }
        for row in try thread.rows(
            "SELECT root, rank, occurred_at, event_id FROM identity_sets WHERE root = ANY(\(found))")
        {
            let (root, rank, occurredAt, eventID) = try row.decode((String, Int64, Int64, String).self)
            knownSets[PostgresText.decode(root)] = IdentitySetRow(
                rank: rank, occurredAt: occurredAt, eventID: PostgresText.decode(eventID))
        }
        for row in try thread.rows("SELECT id, root, kinds FROM identity_nodes WHERE root = ANY(\(found))") {
            let (storedID, storedRoot, kinds) = try row.decode((String, String, Int64).self)
            let (id, root) = (PostgresText.decode(storedID), PostgresText.decode(storedRoot))
            let node = IdentityNodeRow(root: root, kinds: kinds)
            knownMembers[root, default: []].append((id: id, node: node))
            knownNodes[id] = node
        }
    }

    /// Forgets what ``prefetchIdentity(ids:)`` read (the identity tables changed).
    func forgetIdentity() {
        knownNodes.removeAll(keepingCapacity: true)
        knownSets.removeAll(keepingCapacity: true)
        knownMembers.removeAll(keepingCapacity: true)
    }

    func node(_ id: String) throws -> IdentityNodeRow? {
        if let known = knownNodes[id] { return known }
        return try thread.rows("SELECT root, kinds FROM identity_nodes WHERE id = \(PostgresText.encode(id))").first.map
        {
            let (root, kinds) = try $0.decode((String, Int64).self)
            return IdentityNodeRow(root: PostgresText.decode(root), kinds: kinds)
        }
    }

    func set(_ root: String) throws -> IdentitySetRow? {
        if let known = knownSets[root] { return known }
        return try thread.rows(
            "SELECT rank, occurred_at, event_id FROM identity_sets WHERE root = \(PostgresText.encode(root))"
        ).first.map {
            let (rank, occurredAt, eventID) = try $0.decode((Int64, Int64, String).self)
            return IdentitySetRow(rank: rank, occurredAt: occurredAt, eventID: PostgresText.decode(eventID))
        }
    }

    func members(ofRoot root: String) throws -> [(id: String, node: IdentityNodeRow)] {
        if let known = knownMembers[root] { return known }
        return try thread.rows("SELECT id, kinds FROM identity_nodes WHERE root = \(PostgresText.encode(root))").map {
            let (id, kinds) = try $0.decode((String, Int64).self)
            return (id: PostgresText.decode(id), node: IdentityNodeRow(root: root, kinds: kinds))
        }
    }

    /// Sorted by UPN, in byte order (the column is `COLLATE "C"`).
    func upns(ofAADUser aadUserID: String) throws -> [String] {
        try thread.rows(
            "SELECT upn FROM identity_user_ids WHERE aad_user_id = \(PostgresText.encode(aadUserID)) ORDER BY upn"
        ).map {
            PostgresText.decode(try $0.decode(String.self))
        }
    }

    func userless(ofAADUser aadUserID: String) throws -> [IdentityUserlessRow] {
        try thread.rows(
            "SELECT stream, second, joins_failure FROM identity_userless WHERE aad_user_id = \(PostgresText.encode(aadUserID))"
        ).map {
            let (stream, second, joinsFailure) = try $0.decode((String, Int64, Int64).self)
            return IdentityUserlessRow(
                aadUserID: aadUserID, stream: PostgresText.decode(stream), second: second,
                joinsFailure: joinsFailure != 0)
        }
    }

    // MARK: DeviceStatusStateReading

    /// Reads, in four queries, the roots of `streams`, the streams of those roots, their `device_status`
    /// rows and their events, for ``root(of:)``, ``streams(ofRoot:)``, ``rows(_:)`` and
    /// ``events(inStreams:)`` (what is not read
    /// ahead, e.g. the streams of an Entra user's new sign-in, they read with a query of their own). Call
    /// after the identity changes of the drain were applied, before the `device_status` drain, and again
    /// for each drain (it replaces what was read before; the drain itself writes nothing until it ends).
    ///
    /// - Parameter begun: streams whose first event the fold was given in this apply: it holds their
    ///   events, so they are not read back.
    func prefetch(streams: [String], begun: Set<String> = []) throws {
        roots = Dictionary(uniqueKeysWithValues: streams.map { ($0, String?.none) })
        streamsByRoot = [:]
        rowsByEnrollment = [:]
        rowsRead = []
        eventsByStream = [:]
        guard !streams.isEmpty else { return }
        for row in try thread.rows(
            "SELECT id, root FROM identity_nodes WHERE id = ANY(\(PostgresText.encode(streams)))")
        {
            let (id, root) = try row.decode((String, String).self)
            roots[PostgresText.decode(id)] = PostgresText.decode(root)
        }
        let found = Array(Set(roots.values.compactMap { $0 }))
        guard !found.isEmpty else { return }
        for root in found { streamsByRoot[root] = [] }
        for row in try thread.rows(
            "SELECT root, id FROM identity_nodes WHERE root = ANY(\(PostgresText.encode(found))) AND kinds & 1 = 1 ORDER BY root, id"
        ) {
            let (root, id) = try row.decode((String, String).self)
            streamsByRoot[PostgresText.decode(root), default: []].append(PostgresText.decode(id))
        }
        let members = streamsByRoot.values.flatMap { $0 }
        rowsRead = Set(members)
        for row in try storedRows(members) { rowsByEnrollment[row.enrollment] = row }
        let unread = members.filter { !begun.contains($0) }
        for stream in unread { eventsByStream[stream] = [] }
        for event in try storedEvents(unread) { eventsByStream[event.event.stream, default: []].append(event) }
    }

    func root(of stream: String) throws -> String? {
        if let known = roots[stream] { return known }
        return try node(stream)?.root
    }

    /// In id order.
    func streams(ofRoot root: String) throws -> [String] {
        if let known = streamsByRoot[root] { return known }
        return try thread.rows(
            "SELECT id FROM identity_nodes WHERE root = \(PostgresText.encode(root)) AND kinds & 1 = 1 ORDER BY id"
        ).map {
            PostgresText.decode(try $0.decode(String.self))
        }
    }

    func userlessStreams(ofAADUser aadUserID: String) throws -> [String] {
        try thread.rows("SELECT stream FROM identity_userless WHERE aad_user_id = \(PostgresText.encode(aadUserID))")
            .map {
                PostgresText.decode(try $0.decode(String.self))
            }
    }

    func upn(ofAADUser aadUserID: String) throws -> String? {
        try thread.rows(
            "SELECT upn FROM identity_user_ids WHERE aad_user_id = \(PostgresText.encode(aadUserID)) ORDER BY upn LIMIT 1"
        ).first.map { PostgresText.decode(try $0.decode(String.self)) }
    }

    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        if enrollments.allSatisfy(rowsRead.contains) { return enrollments.compactMap { rowsByEnrollment[$0] } }
        return try storedRows(enrollments)
    }

    private func storedRows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        guard !enrollments.isEmpty else { return [] }
        return try thread.rows(
            "SELECT \(unescaped: PostgresDeviceStatusColumns.select) FROM device_status WHERE enrollment = ANY(\(PostgresText.encode(enrollments)))"
        ).map(PostgresDeviceStatusColumns.decode)
    }

    /// In position order.
    func events(inStreams streams: [String]) throws -> [RecordedEvent] {
        if streams.allSatisfy({ eventsByStream[$0] != nil }) {
            return streams.flatMap { eventsByStream[$0] ?? [] }.sorted { $0.position < $1.position }
        }
        return try storedEvents(streams)
    }

    private func storedEvents(_ streams: [String]) throws -> [RecordedEvent] {
        guard !streams.isEmpty else { return [] }
        return try thread.query { connection, logger in
            try await PostgresEventRow.fetch(
                "SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE stream = ANY(\(PostgresText.encode(streams))) ORDER BY position",
                on: connection, logger: logger)
        }.map(\.recorded)
    }
}
