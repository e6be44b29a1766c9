import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import PostgresStore
import Projections
import TestSupport
import Testing

/// A second backend of dictionaries behind the ``ProjectionApplier`` boundary: the identity tables of
/// `IdentityFoldTests`, `device_status`, the `fleet_stats` aggregate and the log, fed only by the folds'
/// row changes and read only through the folds' reading protocols.
final class MemoryProjectionTables: ProjectionApplier, DeviceStatusStateReading {
    let identity = MemoryIdentityTables()
    var deviceStatus: [String: DeviceStatusRow] = [:]
    var counts: [FleetStatsDeltas.CountKey: Int64] = [:]
    var times: [FleetStatsDeltas.TimeKey: Int64] = [:]
    /// The log by stream, and the streams of each root: indexes, so that a recompute costs what a point
    /// query would.
    private var streamsByRoot: [String: Set<String>] = [:]
    private var eventsByStream: [String: [RecordedEvent]] = [:]

    /// Stores `event` in the log.
    func append(_ event: RecordedEvent) {
        eventsByStream[event.event.stream, default: []].append(event)
    }

    // MARK: ProjectionApplier

    func apply(_ changes: IdentityChanges) throws {
        for (id, change) in changes.nodes.sorted {
            if let old = identity.nodes[id], old.kinds & 1 == 1 { streamsByRoot[old.root]?.remove(id) }
            if case .upsert(let node) = change, node.kinds & 1 == 1 { streamsByRoot[node.root, default: []].insert(id) }
        }
        identity.apply(changes)
    }

    func apply(_ changes: DeviceStatusChanges, countingAggregate: Bool) throws {
        for (enrollment, change) in changes.rows.sorted {
            switch change {
            case .upsert(let row): deviceStatus[enrollment] = row
            case .delete: deviceStatus[enrollment] = nil
            }
        }
        #expect(countingAggregate, "this backend keeps its aggregate by deltas from the first event")
        for (key, delta) in changes.fleetStats.counts {
            counts[key, default: 0] += delta
            #expect(counts[key]! >= 0, "a count below zero: the rows and the deltas disagree")
            if counts[key] == 0 { counts[key] = nil }
        }
        for (key, delta) in changes.fleetStats.times {
            times[key, default: 0] += delta
            if times[key] == 0 { times[key] = nil }
        }
    }

    // MARK: DeviceStatusStateReading

    func root(of stream: String) throws -> String? { identity.nodes[stream]?.root }
    func streams(ofRoot root: String) throws -> [String] {
        (streamsByRoot[root] ?? []).sorted()
    }
    func userlessStreams(ofAADUser aadUserID: String) throws -> [String] {
        identity.userless.filter { $0.aadUserID == aadUserID }.map(\.stream)
    }
    func upn(ofAADUser aadUserID: String) throws -> String? { try identity.upns(ofAADUser: aadUserID).first }
    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow] { enrollments.compactMap { deviceStatus[$0] } }
    func events(inStreams streams: [String]) throws -> [RecordedEvent] {
        streams.flatMap { eventsByStream[$0] ?? [] }
    }

    /// `device_status` as rows of values, in the columns' order, sorted by enrollment.
    var deviceStatusValues: [[DatabaseValue]] {
        deviceStatus.values.sorted { $0.enrollment < $1.enrollment }.map { row in
            [
                row.enrollment.databaseValue, row.user.databaseValue, row.userKey.databaseValue,
                row.entraUserID.databaseValue, row.state.databaseValue, row.step.databaseValue,
                row.stepIndex.databaseValue, row.failureStep.databaseValue, row.failureReason.databaseValue,
                row.osVersion.databaseValue, row.model.databaseValue, row.firstSeen.databaseValue,
                row.lastSeen.databaseValue, row.lastStepAt.databaseValue, row.enrolledAt.databaseValue,
                row.timeToEnrollMilliseconds.databaseValue, row.events.databaseValue, row.problemType.databaseValue,
                row.problemReason.databaseValue, row.problemAt.databaseValue, row.conflicts.databaseValue,
            ]
        }
    }

    /// The aggregate as sorted lines.
    var aggregate: [String] {
        let countLines = counts.map {
            "count \($0.key.day) \($0.key.state) \($0.key.stepIndex) \($0.key.failureStep) \($0.key.failureReason) "
                + "\($0.value)"
        }
        return (countLines + times.map { "time \($0.key.day) \($0.key.bucket) \($0.value)" }).sorted()
    }
}

/// The folds, driven through ``ProjectionApplier`` into dictionaries, give the very tables the SQLite
/// store gives for the same events: the boundary a second backend implements is the whole contract.
struct ProjectionApplierTests {
    /// The SQLite store's identity tables, in ``MemoryIdentityTables/dump``'s lines.
    static func identityDump(_ store: SQLiteEventStore) throws -> String {
        try store.read { db in
            let nodes = try Row.fetchAll(db, sql: "SELECT id, root, kinds FROM identity_nodes").map {
                "node \($0[0] as String) \($0[1] as String) \($0[2] as Int64)"
            }
            let sets = try Row.fetchAll(db, sql: "SELECT root, rank, occurred_at, event_id FROM identity_sets").map {
                "set \($0[0] as String) \($0[1] as Int64) \($0[2] as Int64) \($0[3] as String)"
            }
            let users = try Row.fetchAll(db, sql: "SELECT aad_user_id, upn FROM identity_user_ids").map {
                "user \($0[0] as String) \($0[1] as String)"
            }
            let userless = try Row.fetchAll(
                db, sql: "SELECT aad_user_id, stream, second, joins_failure FROM identity_userless"
            ).map { "userless \($0[0] as String) \($0[1] as String) \($0[2] as Int64) \($0[3] as Bool)" }
            return (nodes + sets + users + userless).sorted().joined(separator: "\n")
        }
    }

    static func deviceStatusValues(_ store: SQLiteEventStore) throws -> [[DatabaseValue]] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM device_status ORDER BY enrollment").map {
                Array($0.databaseValues)
            }
        }
    }

    /// A store of the samples and two seeded fleets, and its events as recorded.
    static func sampleFleet(seed: UInt64) throws -> (ProjectedStore, [RecordedEvent]) {
        let projected = try ProjectedStore()
        try projected.store.append(
            try SampleSources.all() + SyntheticFleet.events(seed: seed) + StatsFleet.events(seed: seed))
        var recorded: [RecordedEvent] = []
        try projected.store.forEachEvent { event in
            recorded.append(event)
            return true
        }
        return (projected, recorded)
    }

    /// Folds `events` into `tables` as a store's writers do: identity drained first, every `interval`
    /// events (or when a fold asks) and at the end.
    static func fold(_ events: [RecordedEvent], into tables: MemoryProjectionTables, drainingEvery interval: Int)
        throws
    {
        try fold(
            events, into: tables, identity: IdentityFold(reader: tables.identity),
            status: DeviceStatusFold(reader: tables, flushInterval: Int64(interval)))
    }

    /// Folds `events` into `tables` through these folds, drained as above.
    static func fold(
        _ events: [RecordedEvent], into tables: MemoryProjectionTables, identity: IdentityFold,
        status: DeviceStatusFold
    ) throws {
        let applier: any ProjectionApplier = tables
        func flush() throws {
            try applier.apply(identity.drain())
            try applier.apply(try status.drain(), countingAggregate: true)
        }
        for event in events {
            tables.append(event)
            try identity.apply(event)
            status.apply(event)
            if identity.needsFlush || status.needsFlush { try flush() }
        }
        try flush()
    }

    /// The two backends behind the boundary: the dictionaries here, drained every `interval` events; and
    /// PostgreSQL's (`PostgresFoldState`, `PostgresProjectionApplier`), fed the same recorded events verbatim
    /// in transactions of `interval` events (each drained at its commit), when the machine has PostgreSQL.
    static let cases: [(Boundary, Int)] =
        [1, 7, 10_000].map { (.dictionaries, $0) }
        + (ProjectionBackend.available.contains(.postgres) ? [500, 10_000].map { (.postgres, $0) } : [])

    /// A backend behind ``ProjectionApplier`` and the reading protocols.
    enum Boundary: String, CustomTestStringConvertible, Sendable {
        case dictionaries, postgres
        var testDescription: String { rawValue }
    }

    @Test(arguments: cases)
    func foldsAppliedThroughTheApplierBoundaryGiveTheTablesOfTheSQLiteStore(backend: Boundary, interval: Int)
        async throws
    {
        let (projected, recorded) = try Self.sampleFleet(seed: 11)
        switch backend {
        case .dictionaries:
            let tables = MemoryProjectionTables()
            try Self.fold(recorded, into: tables, drainingEvery: interval)

            #expect(tables.identity.nodes.count > 100)
            #expect(tables.identity.dump == (try Self.identityDump(projected.store)))
            let sqliteRows = try Self.deviceStatusValues(projected.store)
            #expect(sqliteRows.count == tables.deviceStatus.count)
            #expect(tables.deviceStatusValues == sqliteRows)
            #expect(tables.aggregate.count > 20)
            #expect(tables.aggregate == (try FleetStatsAggregateTests.aggregate(projected.store)))
        case .postgres:
            let database = try #require(PostgresCluster.shared).makeDatabase()
            let store = try await PostgresEventStore.open(try PostgresLocation(database.address()))
            for start in stride(from: 0, to: recorded.count, by: interval) {
                try await store.appendVerbatim(Array(recorded[start..<min(start + interval, recorded.count)]))
            }
            await store.close()
            let expected = try projected.dump()
            #expect(expected.contains("fleet_stats_time_to_enroll "))
            #expect(try ProjectionDump.postgres(database).joined(separator: "\n") == expected)
        }
    }
}
