import EventStore
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
}
