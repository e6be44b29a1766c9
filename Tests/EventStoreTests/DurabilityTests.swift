import EnrollmentDomain
import EventStore
import GRDB
import TestSupport
import Testing

@testable import EventStore

/// The durability a configuration promises is the one in force on the writer connection.
struct DurabilityTests {
    let directory = TemporaryDirectory()

    @Test(arguments: [(StoreConfiguration.Durability.full, 2), (.normal, 1)])
    func theWriterRunsWithThePromisedSynchronousSetting(durability: StoreConfiguration.Durability, pragma: Int) throws {
        var configuration = StoreConfiguration()
        configuration.durability = durability
        let store = try SQLiteEventStore(path: directory.path("\(durability).sqlite"), configuration: configuration)
        try store.append([EventFactory.event()])
        #expect(try store.writerSetting("synchronous") == pragma)
    }

    @Test func theWriterHasItsOwnLargerPageCache() throws {
        var configuration = StoreConfiguration()
        configuration.pageCacheKiB = 2_048
        configuration.writerPageCacheKiB = 131_072
        let store = try SQLiteEventStore(path: directory.path("cache.sqlite"), configuration: configuration)
        try store.append([EventFactory.event()])
        // Negative: KiB (positive would be pages).
        #expect(try store.writerSetting("cache_size") == -131_072)
        #expect(try store.readerSetting("cache_size") == -2_048)
    }

    @Test func theWriterKeepsStatementJournalsInMemoryAgainAfterAReplay() throws {
        var configuration = StoreConfiguration()
        configuration.projections = [CountingProjection()]
        let store = try SQLiteEventStore(path: directory.path("temp.sqlite"), configuration: configuration)
        try store.append([EventFactory.event()])
        #expect(try store.writerSetting("temp_store") == 2)  // MEMORY
        try store.rebuildProjections()
        #expect(try store.writerSetting("temp_store") == 2)
    }
}

/// The smallest projection: a count of events in a table of its own.
private struct CountingProjection: InlineProjection {
    let name = "counting"
    let version = 1

    func reset(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS counting; CREATE TABLE counting(events INTEGER NOT NULL)")
        try db.execute(sql: "INSERT INTO counting VALUES (0)")
    }

    func makeWriter(_ db: Database) throws -> any ProjectionWriter { Writer(db: db) }

    final class Writer: ProjectionWriter {
        let db: Database
        init(db: Database) { self.db = db }
        func apply(_ event: RecordedEvent) throws {
            try db.execute(sql: "UPDATE counting SET events = events + 1")
        }
    }
}
