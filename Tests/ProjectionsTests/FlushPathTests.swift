import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport
import Testing

/// What a projection listed after `device_status` sees when it is flushed, inside the transaction: the
/// calls it got, and whether `device_status` and `fleet_stats` already agree (the aggregate's deltas come
/// from the same flush as the rows, not from triggers).
final class FlushRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    func note(_ entry: String) {
        lock.withLock { entries.append(entry) }
    }

    /// Everything noted since the last call.
    func take() -> [String] {
        lock.withLock {
            defer { entries.removeAll() }
            return entries
        }
    }
}

/// A projection with no tables that records its writer's calls and, at each flush, the counts of
/// `device_status` and of the aggregate.
struct FlushObserver: InlineProjection {
    let name = "flush_observer"
    let version = 1
    let recorder: FlushRecorder

    func reset(_ db: Database) throws {}

    func makeWriter(_ db: Database) throws -> any ProjectionWriter {
        Writer(db: db, recorder: recorder)
    }

    final class Writer: ProjectionWriter {
        let db: Database
        let recorder: FlushRecorder

        init(db: Database, recorder: FlushRecorder) {
            self.db = db
            self.recorder = recorder
        }

        func apply(_ event: RecordedEvent) throws {
            recorder.note("apply")
        }

        func flush() throws {
            let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM device_status") ?? -1
            let counted = try Int.fetchOne(db, sql: "SELECT COALESCE(sum(enrollments), 0) FROM fleet_stats") ?? -1
            recorder.note("flush \(rows) rows, \(counted) counted")
        }

        func finish() throws {
            recorder.note("finish")
        }
    }
}

struct FlushPathTests {
    let recorder = FlushRecorder()
    let directory = TemporaryDirectory()

    func store() throws -> SQLiteEventStore {
        var configuration = StoreConfiguration()
        configuration.durability = .normal
        configuration.projections = [IdentityProjection(), DeviceStatusProjection(), FlushObserver(recorder: recorder)]
        let store = try SQLiteEventStore(path: directory.path("store.sqlite"), configuration: configuration)
        // The first transaction builds the aggregate from the (empty) table; what follows counts deltas.
        try store.append([EventFactory.event(stream: "UE-first")])
        _ = recorder.take()
        return store
    }

    static func event(_ stream: String, _ offset: Int64 = 0) -> NewEvent {
        EventFactory.event(stream: stream, type: "remote_management.allowed", at: 1_790_000_000_000 + offset)
    }

    @Test func aSingleEventAppendIsFoldedAndFlushedAtItsCommitLikeABatchOfOne() throws {
        let store = try store()
        try store.append([Self.event("UE-one")])
        let single = recorder.take()
        try store.write { appender in _ = try appender.appendAll([Self.event("UE-two")]) }
        let batchOfOne = recorder.take()
        try store.write { appender in _ = try appender.append(Self.event("UE-three")) }
        let appendedAlone = recorder.take()
        // One apply, then one flush at commit in which device_status and fleet_stats both count the new
        // enrollment, then finish: the same for the three ways in.
        #expect(single == ["apply", "flush 2 rows, 2 counted", "finish"])
        #expect(batchOfOne == ["apply", "flush 3 rows, 3 counted", "finish"])
        #expect(appendedAlone == ["apply", "flush 4 rows, 4 counted", "finish"])
        try store.append([Self.event("UE-four"), Self.event("UE-five", 1), Self.event("UE-four", 2)])
        #expect(recorder.take() == ["apply", "apply", "apply", "flush 6 rows, 6 counted", "finish"])
    }

    @Test func noTriggerCountsAnInsertOrADeleteOfDeviceStatus() throws {
        let store = try store()
        let triggers = try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'device_status'"
            ).map { ($0[0] as String, $0[1] as String) }
        }
        // The one trigger left is for hand edits (an UPDATE of a counted column); the writer upserts rows.
        #expect(triggers.map(\.0) == ["fleet_stats_update"])
        #expect(triggers.allSatisfy { $0.1.contains("AFTER UPDATE OF") })
        // An enrollment that changes state moves its count in the same flush.
        try store.append([
            EventFactory.event(
                stream: "UE-f", type: "jit.failed", at: 1_790_000_000_000, data: ["reason": "trailing spaces"])
        ])
        #expect(recorder.take() == ["apply", "flush 2 rows, 2 counted", "finish"])
        let failed = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT enrollments FROM fleet_stats WHERE failure_reason = 'trailing spaces'")
        }
        #expect(failed == 1)
    }
}
