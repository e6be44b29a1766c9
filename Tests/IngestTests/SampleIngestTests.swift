import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Ingest
import TestSupport
import Testing

/// The four sample files through ``IngestRunner`` into real stores.
struct SampleIngestTests {
    let directory = TemporaryDirectory()

    func store(_ name: String) throws -> SQLiteEventStore {
        try SQLiteEventStore(path: directory.path(name))
    }

    /// What each sample yields: (file, format, records, appended, duplicates, skipped).
    static let expected: [(String, String, Int, Int, Int, Int)] = [
        ("native.ndjson", "native", 718, 702, 16, 0),
        ("nanomdm-webhook.ndjson", "nanomdm", 126, 126, 0, 0),
        ("graph-troubleshooting.json", "graph", 3, 3, 0, 0),
        ("discovery-access.log", "access-log", 81, 81, 0, 0),
    ]

    @Test(arguments: expected)
    func eachSampleYieldsAnExactNumberOfEvents(
        file: String, format: String, records: Int, appended: Int, duplicates: Int, skipped: Int
    ) throws {
        let summary = try Ingesting.run([Fixtures.path(file)], into: try store("\(format).sqlite"))
        let counts = try #require(summary.sources[format])
        #expect(summary.sources.count == 1)
        #expect(counts.records == records)
        #expect(counts.appended == appended)
        #expect(counts.duplicates == duplicates)
        #expect(counts.skipped == skipped)
        #expect(counts.rejected == 0)
    }

    @Test func everySampleLineIsStoredOrDeliberatelySkipped() throws {
        let store = try store("lines.sqlite")
        let summary = try Ingesting.run(Ingesting.samples.map(Fixtures.path), into: store)
        for (file, format, _, _, _, _) in Self.expected where format != "graph" {
            let lines = try Fixtures.lines(file).count
            let counts = try #require(summary.sources[format])
            #expect(counts.records == lines, "\(file)")
            #expect(counts.appended + counts.duplicates + counts.skipped == lines, "\(file)")
        }
        // Graph records are events, not lines: each of the page's objects is stored.
        let graphObjects = try Fixtures.lines("graph-troubleshooting.json").count { $0.contains("\"@odata.type\"") }
        #expect(summary.sources["graph"]?.appended == graphObjects)
        #expect(summary.total.appended == 912)
        #expect(try store.verify().ok)
    }

    @Test func anyOrderAndRepetitionGivesTheSameStoredEvents() throws {
        let paths = Ingesting.samples.map(Fixtures.path)
        var generator = SeededGenerator(seed: 7)
        let orders = [paths, paths.reversed(), paths.shuffled(using: &generator), paths.shuffled(using: &generator)]
        var sets: [[UUID: String]] = []
        for (index, order) in orders.enumerated() {
            let store = try store("order-\(index).sqlite")
            if index % 2 == 0 {
                try Ingesting.run(order, into: store)
            } else {
                for path in order { try Ingesting.run([path], into: store) }
            }
            let again = try Ingesting.run(order + order, into: store)
            #expect(again.total.appended == 0)
            #expect(again.total.duplicates == 2 * 928)
            sets.append(try Ingesting.storedSet(store))
        }
        #expect(sets[0].count == 912)
        for set in sets.dropFirst() { #expect(set == sets[0]) }
    }

    @Test func anLZ4CompressedSampleIngestsLikeThePlainFile() throws {
        let compressed = directory.path("nanomdm-webhook.ndjson.lz4")
        let lz4 = Process()
        lz4.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
        lz4.arguments = ["-q", "-f", Fixtures.path("nanomdm-webhook.ndjson"), compressed]
        try lz4.run()
        lz4.waitUntilExit()
        #expect(lz4.terminationStatus == 0)
        let fromLZ4 = try store("lz4.sqlite")
        let summary = try Ingesting.run([compressed], into: fromLZ4)
        #expect(summary.sources["nanomdm"]?.appended == 126)
        let plain = try store("plain.sqlite")
        try Ingesting.run([Fixtures.path("nanomdm-webhook.ndjson")], into: plain)
        #expect(try Ingesting.storedSet(fromLZ4) == Ingesting.storedSet(plain))
    }

    @Test func theAttemptParameterIsConfigurable() throws {
        var options = IngestOptions()
        options.attemptParameter = "missing"
        let store = try store("attempt.sqlite")
        try Ingesting.run([Fixtures.path("nanomdm-webhook.ndjson")], into: store, options: options)
        var withAttempt = 0
        try store.forEachEvent { recorded in
            if recorded.event.data["attempt_id"] != nil { withAttempt += 1 }
            return true
        }
        #expect(withAttempt == 0)
    }

    /// Keeping the check-in plist as XML text instead of base64 lets the store's LZ4 dictionary find the
    /// plist's shared text: the stored NanoMDM payloads shrink.
    @Test func nanoMDMRecordsStoreSmallerWithTheirPlistAsXML() throws {
        let events = Ingesting.decode(
            try String(contentsOfFile: Fixtures.path("nanomdm-webhook.ndjson"), encoding: .utf8),
            with: NanoMDMDecoder()
        ).flatMap(\.events)
        let asBase64 = try events.map { event in
            var event = event
            event.eventID = UUID()
            let line = try #require(event.data["raw"]?["checkin_event"]?["raw_payload_xml"]?.stringValue)
            var raw = try #require(event.data["raw"]?.objectValue)
            var checkin = try #require(raw["checkin_event"]?.objectValue)
            checkin["raw_payload_xml"] = nil
            checkin["raw_payload"] = .string(Data(line.utf8).base64EncodedString())
            raw["checkin_event"] = .object(checkin)
            event.data["raw"] = .object(raw)
            return event
        }
        let xml = try storedBytes(events, name: "xml")
        let base64 = try storedBytes(asBase64, name: "base64")
        print("NanoMDM bytes per event: XML \(xml), base64 \(base64)")
        #expect(xml.payload < base64.payload)
    }

    func storedBytes(_ events: [NewEvent], name: String) throws -> (payload: Int, data: Int) {
        let path = directory.path("\(name).sqlite")
        try SQLiteEventStore(path: path).append(events)
        return try DatabaseQueue(path: path).read { db in
            let row = try Row.fetchOne(db, sql: "SELECT avg(length(payload)), avg(data_size) FROM events")!
            return (Int(row[0] as Double), Int(row[1] as Double))
        }
    }
}
