import EnrollmentDomain
import EventStore
import Foundation
import PostgresNIO
import Projections

/// The questions of ``EnrollmentReadModel`` answered from a PostgreSQL store's projection tables
/// (`device_status`, `identity_nodes`, `identity_user_ids`, `fleet_stats`, `fleet_stats_time_to_enroll`,
/// the same tables and columns as on SQLite), with the answers ``EnrollmentQueries`` gives for the same rows.
///
/// Every method reads one snapshot (``PostgresEventStore/snapshot(_:)``: `REPEATABLE READ READ ONLY`, so a
/// hot standby serves it) and uses an index; what the rows become is ``ReadModelAssembly``'s, shared with
/// SQLite. Texts from the database are handed on as they are: the renderers escape them, as on SQLite.
///
/// ```swift
/// let queries = PostgresEnrollmentQueries(store: try await PostgresEventStore.open(address, migrate: false))
/// let stuck = try await queries.devices(DeviceFilter(state: .inProgress, stalledFor: 3600, limit: 50))
/// ```
public struct PostgresEnrollmentQueries: EnrollmentReadModel {
    public let store: PostgresEventStore
    public var stalledAfterSeconds: Double
    /// How many rows a device list reads per statement: pages of one snapshot (keyset after the last row),
    /// so memory stays flat however many match, and a point-in-time view reads each page's events between
    /// pages. The default is 256.
    public var pageSize: Int

    public init(store: PostgresEventStore, stalledAfterSeconds: Double = 3600, pageSize: Int = 256) {
        self.store = store
        self.stalledAfterSeconds = stalledAfterSeconds
        self.pageSize = max(1, pageSize)
    }

    public func enrollments(matching given: String, asOf pointInTime: Timestamp? = nil) async throws
        -> [DeviceStatus]
    {
        let asOf = pointInTime ?? PostgresEventStore.now()
        let id = given.trimmingCharacters(in: .whitespacesAndNewlines)
        let threshold = stalledAfterSeconds
        return try await store.snapshot { connection in
            let reader = PostgresReadModelReader(connection: connection, logger: store.logger)
            var roots: [String] = []
            // As given, else in lower or upper case (as on SQLite).
            for candidate in [id, id.lowercased(), id.uppercased()] {
                if let root = try await reader.strings(
                    "SELECT root FROM identity_nodes WHERE id = \(PostgresText.encode(candidate)) AND kinds & \(ReadModelAssembly.lookupKinds) != 0"
                ).first {
                    roots.append(root)
                    break
                }
            }
            roots += try await reader.strings(
                """
                SELECT enrollment FROM device_status WHERE user_key = \(PostgresText.encode(id.lowercased()))
                UNION SELECT enrollment FROM device_status
                WHERE entra_user_id IN (\(PostgresText.encode(id)), \(PostgresText.encode(id.lowercased())))
                """)
            var seen: Set<String> = []
            var statuses: [DeviceStatus] = []
            for root in roots where seen.insert(root).inserted {
                guard
                    let row = try await reader.rows(
                        PostgresQuery(
                            unsafeSQL: "\(PostgresReadModelReader.select) WHERE enrollment = $1",
                            binds: PostgresReadModelReader.bindings([PostgresText.encode(root)]))
                    ).first
                else {
                    throw ReadModelError(enrollment: root, problem: "identity names it, but device_status has no row")
                }
                statuses.append(try row.status(asOf: asOf, threshold: threshold))
            }
            if let pointInTime {
                var dated: [DeviceStatus] = []
                for status in statuses {
                    if let then = try await reader.status(status, at: pointInTime, threshold: threshold) {
                        dated.append(then)
                    }
                }
                statuses = dated
            }
            return statuses.sorted { ($0.firstSeen, $0.enrollment) < ($1.firstSeen, $1.enrollment) }
        }
    }

    public func timeline(of statuses: [DeviceStatus], asOf: Timestamp? = nil) async throws -> [TimelineEntry] {
        try await store.snapshot { connection in
            let reader = PostgresReadModelReader(connection: connection, logger: store.logger)
            var entries: [TimelineEntry] = []
            for status in statuses {
                let events = try await reader.events(inStreams: ReadModelAssembly.streams(of: status))
                entries += ReadModelAssembly.timeline(of: status, events: events, asOf: asOf)
            }
            return entries
        }
    }

    public func events(of statuses: [DeviceStatus]) async throws -> [RecordedEvent] {
        let streams = Array(Set(statuses.flatMap(ReadModelAssembly.streams(of:))))
        return try await store.snapshot { connection in
            try await PostgresReadModelReader(connection: connection, logger: store.logger).events(inStreams: streams)
        }
    }

    public func stalledCount(asOf: Timestamp? = nil) async throws -> Int {
        let asOf = asOf ?? PostgresEventStore.now()
        let threshold = asOf.milliseconds - Int64((stalledAfterSeconds * 1000).rounded(.up))
        return try await store.snapshot { connection in
            try await PostgresReadModelReader(connection: connection, logger: store.logger).count(
                "SELECT count(*) FROM device_status WHERE state = 'in_progress' AND last_step_at <= \(threshold)")
        }
    }

    public func stats(_ query: StatsQuery = StatsQuery()) async throws -> FleetStats {
        let statements = FleetStatsStatements(query, dialect: .postgres)
        let binds = PostgresReadModelReader.bindings(statements.arguments)
        return try await store.snapshot { connection in
            var collector = FleetStatsCollector(query)
            let counts = try await connection.query(
                PostgresQuery(unsafeSQL: statements.counts, binds: binds), logger: store.logger)
            for try await (day, state, stepIndex, failureStep, failureReason, count) in counts.decode(
                (Int64?, String, Int, String, String?, Int64).self)
            {
                collector.addCount(
                    day: day, state: PostgresText.decode(state), stepIndex: stepIndex,
                    failureStep: PostgresText.decode(failureStep), failureReason: PostgresText.decode(failureReason),
                    count: Int(count))
            }
            let times = try await connection.query(
                PostgresQuery(unsafeSQL: statements.timesToEnroll, binds: binds), logger: store.logger)
            for try await (day, bucket, count) in times.decode((Int64?, Int64, Int64).self) {
                collector.addTimesToEnroll(day: day, bucket: bucket, count: Int(count))
            }
            return collector.finish()
        }
    }
}
