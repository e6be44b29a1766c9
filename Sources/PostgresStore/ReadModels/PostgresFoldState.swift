import EnrollmentDomain
import Foundation
import PostgresNIO
import Projections

/// What ``IdentityFold`` and ``DeviceStatusFold`` read, from PostgreSQL: point reads of the read models'
/// tables and of the log, in the append transaction (so they see its own writes), one round trip each,
/// waited for on the fold thread (``PostgresFoldThread``). What the `device_status` drain reads of the
/// streams a batch touched is read ahead in three queries (``prefetch(streams:)``).
final class PostgresFoldState: IdentityStateReading, DeviceStatusStateReading {
    private let thread: PostgresFoldThread
    /// Read ahead of the device status drain, for the streams of the batch: their roots (`nil` for none),
    /// the streams of those roots, and the `device_status` rows of those streams (`rowsRead` lists the
    /// enrollments looked up, with a row or without).
    private var roots: [String: String?] = [:]
    private var streamsByRoot: [String: [String]] = [:]
    private var rowsByEnrollment: [String: DeviceStatusRow] = [:]
    private var rowsRead: Set<String> = []

    init(_ thread: PostgresFoldThread) {
        self.thread = thread
    }

    // MARK: IdentityStateReading

    func node(_ id: String) throws -> IdentityNodeRow? {
        try thread.rows("SELECT root, kinds FROM identity_nodes WHERE id = \(id)").first.map {
            let (root, kinds) = try $0.decode((String, Int64).self)
            return IdentityNodeRow(root: root, kinds: kinds)
        }
    }

    func set(_ root: String) throws -> IdentitySetRow? {
        try thread.rows("SELECT rank, occurred_at, event_id FROM identity_sets WHERE root = \(root)").first.map {
            let (rank, occurredAt, eventID) = try $0.decode((Int64, Int64, String).self)
            return IdentitySetRow(rank: rank, occurredAt: occurredAt, eventID: eventID)
        }
    }

    func members(ofRoot root: String) throws -> [(id: String, node: IdentityNodeRow)] {
        try thread.rows("SELECT id, kinds FROM identity_nodes WHERE root = \(root)").map {
            let (id, kinds) = try $0.decode((String, Int64).self)
            return (id: id, node: IdentityNodeRow(root: root, kinds: kinds))
        }
    }

    /// Sorted by UPN, in byte order (the column is `COLLATE "C"`).
    func upns(ofAADUser aadUserID: String) throws -> [String] {
        try thread.rows("SELECT upn FROM identity_user_ids WHERE aad_user_id = \(aadUserID) ORDER BY upn").map {
            try $0.decode(String.self)
        }
    }

    func userless(ofAADUser aadUserID: String) throws -> [IdentityUserlessRow] {
        try thread.rows(
            "SELECT stream, second, joins_failure FROM identity_userless WHERE aad_user_id = \(aadUserID)"
        ).map {
            let (stream, second, joinsFailure) = try $0.decode((String, Int64, Int64).self)
            return IdentityUserlessRow(
                aadUserID: aadUserID, stream: stream, second: second, joinsFailure: joinsFailure != 0)
        }
    }

    // MARK: DeviceStatusStateReading

    /// Reads, in three queries, the roots of `streams`, the streams of those roots and their
    /// `device_status` rows, for ``root(of:)``, ``streams(ofRoot:)`` and ``rows(_:)`` (what is not read
    /// ahead, e.g. the streams of an Entra user's new sign-in, they read with a query of their own). Call
    /// after the identity changes of the drain were applied, before the `device_status` drain, and again
    /// for each drain (it replaces what was read before; the drain itself writes nothing until it ends).
    func prefetch(streams: [String]) throws {
        roots = Dictionary(uniqueKeysWithValues: streams.map { ($0, String?.none) })
        streamsByRoot = [:]
        rowsByEnrollment = [:]
        rowsRead = []
        guard !streams.isEmpty else { return }
        for row in try thread.rows("SELECT id, root FROM identity_nodes WHERE id = ANY(\(streams))") {
            let (id, root) = try row.decode((String, String).self)
            roots[id] = root
        }
        let found = Array(Set(roots.values.compactMap { $0 }))
        guard !found.isEmpty else { return }
        for root in found { streamsByRoot[root] = [] }
        for row in try thread.rows(
            "SELECT root, id FROM identity_nodes WHERE root = ANY(\(found)) AND kinds & 1 = 1 ORDER BY root, id")
        {
            let (root, id) = try row.decode((String, String).self)
            streamsByRoot[root, default: []].append(id)
        }
        let members = streamsByRoot.values.flatMap { $0 }
        rowsRead = Set(members)
        for row in try storedRows(members) { rowsByEnrollment[row.enrollment] = row }
    }

    func root(of stream: String) throws -> String? {
        if let known = roots[stream] { return known }
        return try node(stream)?.root
    }

    /// In id order.
    func streams(ofRoot root: String) throws -> [String] {
        if let known = streamsByRoot[root] { return known }
        return try thread.rows("SELECT id FROM identity_nodes WHERE root = \(root) AND kinds & 1 = 1 ORDER BY id").map {
            try $0.decode(String.self)
        }
    }

    func userlessStreams(ofAADUser aadUserID: String) throws -> [String] {
        try thread.rows("SELECT stream FROM identity_userless WHERE aad_user_id = \(aadUserID)").map {
            try $0.decode(String.self)
        }
    }

    func upn(ofAADUser aadUserID: String) throws -> String? {
        try thread.rows(
            "SELECT upn FROM identity_user_ids WHERE aad_user_id = \(aadUserID) ORDER BY upn LIMIT 1"
        ).first.map { try $0.decode(String.self) }
    }

    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        if enrollments.allSatisfy(rowsRead.contains) { return enrollments.compactMap { rowsByEnrollment[$0] } }
        return try storedRows(enrollments)
    }

    private func storedRows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        guard !enrollments.isEmpty else { return [] }
        return try thread.rows(
            "SELECT \(unescaped: PostgresDeviceStatusColumns.select) FROM device_status WHERE enrollment = ANY(\(enrollments))"
        ).map(PostgresDeviceStatusColumns.decode)
    }

    func events(inStreams streams: [String]) throws -> [RecordedEvent] {
        guard !streams.isEmpty else { return [] }
        return try thread.query { connection, logger in
            try await PostgresEventRow.fetch(
                "SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE stream = ANY(\(streams)) ORDER BY position",
                on: connection, logger: logger)
        }.map(\.recorded)
    }
}
