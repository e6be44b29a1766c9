import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

/// The rebuild reads the log on a second thread: what that thread cannot decode still fails the rebuild,
/// by position, and nothing of the rebuild is kept.
struct RebuildReadErrorTests {
    @Test func aRowTheReaderCannotDecodeFailsTheRebuildByPositionAndLeavesTheProjectionsAsTheyWere() throws {
        let projected = try ProjectedStore()
        let lines = EventFactory.ndjsonLines(count: 3_000, streams: 300)
        try projected.store.append(try lines.map { try NewEvent(ndjsonLine: Array($0.utf8)) })
        let before = try projected.dump()
        #expect(before.contains("UE-bulk-299"))
        let queue = try DatabaseQueue(path: projected.directory.path("store.sqlite"))
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update")
            try db.execute(sql: "UPDATE events SET payload = X'FF00FF00' WHERE position = 2500")
        }
        try queue.close()
        let error = #expect(throws: EventStoreError.self) { try projected.store.rebuildProjections() }
        #expect(error?.position == 2500)
        #expect(try projected.dump() == before)
    }
}
