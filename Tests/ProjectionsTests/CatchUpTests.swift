import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport
import Testing

/// A store opened with projections that are behind or of another version catches them up in their
/// order, and counts every event once.
struct CatchUpTests {
    let directory = TemporaryDirectory()

    private func configuration(flushInterval: Int64 = 10_000) -> StoreConfiguration {
        var configuration = StoreConfiguration()
        configuration.durability = .normal
        configuration.projections = [IdentityProjection(), DeviceStatusProjection(flushInterval: flushInterval)]
        return configuration
    }

    private func events(of enrollment: String, _ store: SQLiteEventStore) throws -> Int? {
        try store.read { db in
            try Int.fetchOne(db, sql: "SELECT events FROM device_status WHERE enrollment = ?", arguments: [enrollment])
        }
    }

    @Test func aReplayFromACheckpointCountsEventsTheLogHoldsAheadOfItOnce() throws {
        // The replay recomputes UE-s at its second event, when the log already holds its third: the
        // events read from the log must stop where the replay is.
        let path = directory.path("behind.sqlite")
        try SQLiteEventStore(path: path, configuration: configuration(flushInterval: 1))
            .append([EventFactory.event(stream: "UE-s", at: 1_790_000_000_000)])
        try SQLiteEventStore(path: path).append([  // no projections: their checkpoints stay behind
            EventFactory.event(stream: "UE-s", type: "profile.installed", at: 1_790_000_001_000),
            EventFactory.event(stream: "UE-t", at: 1_790_000_002_000),
            EventFactory.event(stream: "UE-s", type: "profile.installed", at: 1_790_000_003_000),
        ])
        let store = try SQLiteEventStore(path: path, configuration: configuration(flushInterval: 1))
        #expect(try events(of: "UE-s", store) == 3)
        #expect(try events(of: "UE-t", store) == 1)
        try store.rebuildProjections()
        #expect(try events(of: "UE-s", store) == 3)
    }

    @Test func aStaleProjectionIsRebuiltOnlyAfterTheOnesItReadsHaveCaughtUp() throws {
        // identity is behind (UE-new was appended without projections) and device_status is of an older
        // version: identity must catch up before device_status is rebuilt from it.
        let path = directory.path("stale.sqlite")
        try SQLiteEventStore(path: path, configuration: configuration()).append([EventFactory.event(stream: "UE-old")])
        try SQLiteEventStore(path: path).append([EventFactory.event(stream: "UE-new")])
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "UPDATE projection_checkpoints SET version = version - 1 WHERE name = 'device_status'")
        }
        try queue.close()
        let store = try SQLiteEventStore(path: path, configuration: configuration())
        let enrollments = try store.read { db in
            try String.fetchAll(db, sql: "SELECT enrollment FROM device_status ORDER BY enrollment")
        }
        #expect(enrollments == ["UE-new", "UE-old"])
        #expect(try store.staleProjections().isEmpty)
    }
}
