import EnrollmentDomain
import EventStore
import NIOPosix
import Projections

/// SQLite's read models for the service: each query of ``Projections/EnrollmentQueries`` (which blocks on
/// SQLite) runs on NIO's thread pool, off the tasks that serve connections, as an ``EnrollmentReadModel``.
struct ThreadPoolReadModel: EnrollmentReadModel {
    let queries: EnrollmentQueries

    var stalledAfterSeconds: Double { queries.stalledAfterSeconds }

    private func run<T: Sendable>(_ body: @escaping @Sendable (EnrollmentQueries) throws -> T) async throws -> T {
        let queries = self.queries
        return try await NIOThreadPool.singleton.runIfActive { try body(queries) }
    }

    func enrollments(matching given: String, asOf pointInTime: Timestamp?) async throws -> [DeviceStatus] {
        try await run { try $0.enrollments(matching: given, asOf: pointInTime) }
    }

    func timeline(of statuses: [DeviceStatus], asOf: Timestamp?) async throws -> [TimelineEntry] {
        try await run { try $0.timeline(of: statuses, asOf: asOf) }
    }

    /// The page collected on the thread pool, then given to `body` (the service asks for bounded pages).
    func forEachDevice(_ filter: DeviceFilter, _ body: (DeviceStatus) throws -> Void) async throws {
        for status in try await devices(filter) { try body(status) }
    }

    func devices(_ filter: DeviceFilter) async throws -> [DeviceStatus] {
        try await run { try $0.devices(filter) }
    }

    func deviceCount(_ filter: DeviceFilter) async throws -> Int {
        try await run { try $0.deviceCount(filter) }
    }

    func stalledCount(asOf: Timestamp?) async throws -> Int {
        try await run { try $0.stalledCount(asOf: asOf) }
    }

    func stats(_ query: StatsQuery) async throws -> FleetStats {
        try await run { try $0.stats(query) }
    }

    func events(of statuses: [DeviceStatus]) async throws -> [RecordedEvent] {
        try await run { try $0.events(of: statuses) }
    }
}
