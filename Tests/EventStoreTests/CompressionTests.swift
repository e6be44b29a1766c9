import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import LZ4
import TestSupport
import Testing

struct CompressionTests {
    let directory = TemporaryDirectory()

    func storedBytes(compression: StoreConfiguration.Compression) throws -> (payload: Int, data: Int) {
        let path = directory.path("\(compression.rawValue).sqlite")
        var configuration = StoreConfiguration()
        configuration.compression = compression
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        let events = try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) }
        try store.append(events)
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT sum(length(payload)), sum(data_size) FROM events")!
            return (row[0], row[1])
        }
    }

    @Test func theDictionaryBeatsPlainLZ4OnTypicalPayloadsAndEveryCodecReadsBack() throws {
        let none = try storedBytes(compression: .none)
        let plain = try storedBytes(compression: .lz4)
        let dictionary = try storedBytes(compression: .lz4Dictionary)
        #expect(none.payload == none.data)
        #expect(plain.payload <= none.payload)
        // Measured on the sample: plain LZ4 saves a few percent, the dictionary far more.
        #expect(Double(dictionary.payload) < 0.8 * Double(none.payload))
        #expect(dictionary.payload < plain.payload)
        // Mixed codecs in one file stay readable and verifiable.
        let store = try SQLiteEventStore(path: directory.path("lz4-dictionary.sqlite"))
        #expect(try store.verify().ok)
    }

    @Test func largeRawRecordsShrink() throws {
        let store = try SQLiteEventStore(path: directory.path("large.sqlite"))
        let plist = String(
            repeating: "<key>EnrollmentID</key><string>2c0e049891ff140fd173c09007c8b06d6e14813c</string>\n", count: 40)
        let event = EventFactory.event(
            type: "mdm.checked_in",
            data: [
                "enrollment_id": .string("2c0e049891ff140fd173c09007c8b06d6e14813c"),
                "message_type": .string("DeclarativeManagement"), "raw": .object(["plist": .string(plist)]),
            ])
        try store.append([event])
        let queue = try DatabaseQueue(path: directory.path("large.sqlite"))
        let (payload, size): (Int, Int) = try queue.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT length(payload), data_size FROM events")!
            return (row[0], row[1])
        }
        #expect(payload * 4 < size)
        #expect(try store.event(id: event.eventID)?.event.data == event.data)
    }

    @Test func lz4BlocksRoundTripWithAndWithoutADictionary() throws {
        let input = Array(String(repeating: "{\"bundle_id\":\"com.microsoft.azureauthenticator\"}", count: 3).utf8)
        for codec in [LZ4Block(), LZ4Block(dictionary: Array("com.microsoft.azureauthenticator".utf8))] {
            let block = try #require(codec.compress(input))
            #expect(codec.decompress(block, size: input.count) == input)
            #expect(codec.decompress(block, size: input.count + 1) == nil)
            #expect(codec.decompress(Array(block.dropLast()), size: input.count) == nil)
        }
    }
}
