import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

struct AppendTests {
    let directory = TemporaryDirectory()

    func makeStore() throws -> SQLiteEventStore {
        try SQLiteEventStore(path: directory.path("store.sqlite"))
    }

    func sampleEvents() throws -> [NewEvent] {
        try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) }
    }

    @Test func theNativeSampleStores702EventsAndCounts16Duplicates() throws {
        let store = try makeStore()
        let events = try sampleEvents()
        #expect(events.count == 718)
        let first = try store.append(events)
        #expect(first.appended == 702)
        #expect(first.duplicates == 16)
        let second = try store.append(events)
        #expect(second.appended == 0)
        #expect(second.duplicates == 718)
        #expect(try store.head().position == 702)
        #expect(try store.verify().ok)
    }

    @Test func aBatchWithOneInvalidEventStoresNothingAndNamesTheField() throws {
        let store = try makeStore()
        var events = try sampleEvents().prefix(10).map { $0 }
        events[6].type = "discovery.failed"
        events[6].data = ["domain": .string("contoso.com"), "user_identifier": .string("x"), "reason": .int(3)]
        let error = try #require(throws: EventStoreError.self) { try store.append(events) }
        #expect(error.code == .invalidEvent)
        #expect(error.description.contains("data.reason"))
        #expect(error.eventID == events[6].eventID.uuidString.lowercased())
        #expect(try store.head().position == 0)
    }

    @Test func anExpectedVersionConflictNamesTheStreamAndBothVersionsAndWritesNothing() throws {
        let store = try makeStore()
        try store.append([EventFactory.event(stream: "UE-a"), EventFactory.event(stream: "UE-a")])
        let error = try #require(throws: EventStoreError.self) {
            try store.append([EventFactory.event(stream: "UE-a")], expectedVersions: ["UE-a": 1])
        }
        #expect(error.code == .versionConflict)
        #expect(error.stream == "UE-a")
        #expect(error.expectedVersion == 1)
        #expect(error.actualVersion == 2)
        #expect(error.description.contains("version 2") && error.description.contains("version 1"))
        #expect(try store.head().position == 2)
        let ok = try store.append([EventFactory.event(stream: "UE-a")], expectedVersions: ["UE-a": 2])
        #expect(ok.appended == 1)
        #expect(try store.append([EventFactory.event(stream: "UE-new")], expectedVersions: ["UE-new": 0]).appended == 1)
    }

    @Test func sameIDWithDifferentContentIsAConflictAndSameContentIsADuplicate() throws {
        let store = try makeStore()
        let event = EventFactory.event(data: [:])
        try store.append([event])
        #expect(try store.append([event]).duplicates == 1)
        var changed = event
        changed.user = "mallory@contoso.com"
        let error = try #require(throws: EventStoreError.self) { try store.append([changed]) }
        #expect(error.code == .eventIDConflict)
        #expect(error.position == 1)
        #expect(try store.head().position == 1)
    }

    @Test func unknownTypesAreStoredAndFlagged() throws {
        let store = try makeStore()
        let event = EventFactory.event(type: "device.teleported", data: ["anything": .bool(true)])
        #expect(!event.isKnownType)
        try store.append([event])
        let stored = try #require(try store.event(id: event.eventID))
        #expect(stored.event.type == "device.teleported")
        #expect(stored.event.data["anything"] == .bool(true))
    }

    @Test func envelopeTextsHoldingUPlus0000ComeBackWholeAndVerify() throws {
        let store = try makeStore()
        var event = EventFactory.event(user: "joe@contoso.com\u{0}mallory@contoso.com")
        event.source = "nanomdm\u{0}\u{1B}[2J"
        event.correlationID = "corr\u{0}"
        let twin = EventFactory.event(user: "joe@contoso.com\u{0}eve@contoso.com")
        try store.append([event, twin])
        let stored = try #require(try store.event(id: event.eventID))
        #expect(stored.event.user == event.user)
        #expect(stored.event.source == event.source)
        #expect(stored.event.correlationID == event.correlationID)
        #expect(try store.event(id: twin.eventID)?.event.user == twin.user)
        #expect(try store.verify().ok)
        // Read back whole, the same event again is a duplicate, and one differing after the NUL a conflict.
        #expect(try store.append([event]).duplicates == 1)
        var changed = event
        changed.correlationID = "corr\u{0}other"
        let error = try #require(throws: EventStoreError.self) { try store.append([changed]) }
        #expect(error.code == .eventIDConflict)
    }

    @Test func streamsReadBackInOrderWithVersionsAndTheHeadIsTheLastHash() throws {
        let store = try makeStore()
        try store.append([EventFactory.event(stream: "UE-x", at: 2), EventFactory.event(stream: "UE-y")])
        try store.append([EventFactory.event(stream: "UE-x", at: 1)])
        let events = try store.events(inStream: "UE-x")
        #expect(events.map(\.version) == [1, 2])
        #expect(events.map(\.position) == [1, 3])
        #expect(try store.head().hash == events[1].hash)
    }

    @Test func theDatabaseRefusesUpdatesAndDeletes() throws {
        let path = directory.path("store.sqlite")
        let store = try SQLiteEventStore(path: path)
        try store.append([EventFactory.event()])
        let queue = try DatabaseQueue(path: path)
        for sql in ["UPDATE events SET type = 'x.y'", "DELETE FROM events", "DELETE FROM streams"] {
            #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: sql) } }
        }
        #expect(try store.head().position == 1)
    }

    @Test func aNewStoreFileIsPrivateToItsOwner() throws {
        let path = directory.path("store.sqlite")
        let store = try SQLiteEventStore(path: path)
        try store.append([EventFactory.event()])
        for file in [path, path + "-wal", path + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(file)")
        }
    }

    @Test func aReadOnlyOpenOfAMissingStoreFailsAndCreatesNothing() throws {
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        let path = directory.path("missing.sqlite")
        let error = try #require(throws: EventStoreError.self) {
            try SQLiteEventStore(path: path, configuration: configuration)
        }
        #expect(error.code == .storeNotFound)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aFileThatIsNotAStoreIsReportedAsCorrupt() throws {
        let path = directory.path("garbage.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error.code == .corrupt)
    }
}
