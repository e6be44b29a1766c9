import EnrollmentDomain
import Foundation
import Ingest
import TestSupport
import Testing

struct GraphDecoderTests {
    static let event =
        ##"{"@odata.type":"#microsoft.graph.enrollmentTroubleshootingEvent","id":"e6c51744-faea-429e-8ff4-f92e1c06c4bc","eventDateTime":"2026-10-02T21:49:09.537Z","correlationId":"7585bef3-9ce4-4465-9760-4bbdc2cb1a0b","managedDeviceIdentifier":"","operatingSystem":"iOS","osVersion":"18.5","userId":"538535b2-d723-472f-b7d4-8ccd0d6c87ea","deviceId":"","enrollmentType":"appleUserEnrollment","failureCategory":"enrollmentRestrictionsEnforced","failureReason":"DeviceCapReached"}"##

    func sample() throws -> String {
        try String(contentsOfFile: Fixtures.path("graph-troubleshooting.json"), encoding: .utf8)
    }

    @Test func thePrettyPrintedSampleYieldsThreeEventsAtTheLinesTheyStart() throws {
        let records = Ingesting.decode(try sample(), with: GraphDecoder())
        #expect(records.map(\.line) == [4, 18, 32])
        let events = records.flatMap(\.events)
        #expect(events.count == 3)
        let first = try #require(events.first)
        #expect(first.type == "enrollment.failed")
        #expect(first.eventID == UUID(uuidString: "e6c51744-faea-429e-8ff4-f92e1c06c4bc"))
        #expect(first.stream == "7585bef3-9ce4-4465-9760-4bbdc2cb1a0b")
        #expect(first.source == "intune-graph")
        #expect(first.occurredAt == Timestamp(iso8601: "2026-10-02T21:49:09.537Z"))
        #expect(
            first.data.filter { $0.key != "raw" } == [
                "category": .string("enrollmentRestrictionsEnforced"), "reason": .string("DeviceCapReached"),
                "aad_user_id": .string("538535b2-d723-472f-b7d4-8ccd0d6c87ea"), "os_version": .string("18.5"),
                "operating_system": .string("iOS"), "enrollment_type": .string("appleUserEnrollment"),
            ])
        #expect(first.data["raw"] == (try JSONParser.parse(Self.event)))
        // The reject file would get each event's own bytes.
        #expect(String(decoding: records[0].raw, as: UTF8.self).hasPrefix("{\n   \"@odata.type\""))
        for event in events { try event.validateData() }
    }

    @Test func anArrayOfPagesACompactPageAndOneEventPerLineGiveTheSameEvents() throws {
        let expected = Ingesting.decode(try sample(), with: GraphDecoder()).flatMap(\.events)
        let page = #"{"@odata.context":"x","value":[\#(Self.event)]}"#
        let compact = Ingesting.decode(page, with: GraphDecoder()).flatMap(\.events)
        let pages = Ingesting.decode("[\(page),\n\(page)]", with: GraphDecoder()).flatMap(\.events)
        let lines = Ingesting.decode("\(Self.event)\n\n\(Self.event)\r\n", with: GraphDecoder())
        #expect(compact == [expected[0]])
        #expect(pages == [expected[0], expected[0]])
        #expect(lines.flatMap(\.events) == [expected[0], expected[0]])
        #expect(lines.map(\.line) == [1, 2, 3])
        #expect(lines[1].isSkipped)
    }

    @Test func otherTroubleshootingTypesAreStoredAsAnUnknownType() throws {
        let line =
            ##"{"@odata.type":"#microsoft.graph.deviceManagementTroubleshootingEvent","id":"not-a-uuid","eventDateTime":"2026-10-02T21:49:09Z","correlationId":"c-1"}"##
        let event = try #require(Ingesting.decode(line, with: GraphDecoder()).first?.events.first)
        #expect(event.type == "enrollment.troubleshooting_reported")
        #expect(!event.isKnownType)
        #expect(event.stream == "c-1")
        #expect(event.data["odata_type"] == .string("#microsoft.graph.deviceManagementTroubleshootingEvent"))
        #expect(
            event.eventID == NameBasedUUID.eventID(format: .graph, record: try JSONParser.parse(line).canonicalBytes))
    }

    @Test(arguments: [
        (#"{"@odata.context":"x","values":[]}"#, 1, "value is missing"),
        (#"{"value":{"id":"x"}}"#, 1, "value must be an array, not object"),
        (#"[{"value":[]},{"nextLink":"x"}]"#, 1, "[1].value is missing"),
        (#"{"value":[17]}"#, 1, "value[0] must be an object, not integer"),
        ("{\n\"value\": [\n{\"id\": 1,}\n]\n}", 1, "invalid JSON on line 3: expected a member name in quotes"),
        ("hello", 1, "not a JSON document: it must start with { or ["),
        (
            #"{"value":[{"eventDateTime":"2026-10-02T21:49:09Z"}]}"#, 1,
            "value[0].correlationId is required (or at least value[0].id)"
        ),
    ])
    func badDocumentsAreRejectedNamingTheField(text: String, line: Int, reason: String) {
        let records = Ingesting.decode(text, with: GraphDecoder())
        #expect(records.count == 1)
        #expect(records.first?.line == line)
        #expect(records.first?.rejection == reason)
    }

    @Test func wrongTypesAndBadTimesNameTheEventsPath() throws {
        let osVersion = Self.event.replacingOccurrences(of: #""osVersion":"18.5""#, with: #""osVersion":18"#)
        let time = Self.event.replacingOccurrences(of: "2026-10-02T21:49:09.537Z", with: "02/10/2026")
        let records = Ingesting.decode(#"{"value":[\#(osVersion),\#(Self.event),\#(time)]}"#, with: GraphDecoder())
        #expect(
            records.map(\.rejection) == [
                "value[0].osVersion must be a string, not integer", nil,
                "value[2].eventDateTime must be an RFC 3339 date-time such as 2026-10-01T16:35:20.116Z",
            ])
    }

    @Test func aTruncatedLineDoesNotSwallowTheLinesAfterIt() throws {
        let truncated = String(Self.event.prefix(120))
        let text = [Self.event, truncated, Self.event, String(Self.event.dropLast()), Self.event].joined(
            separator: "\n")
        let records = Ingesting.decode(text, with: GraphDecoder())
        #expect(records.map(\.line) == [1, 2, 3, 4, 5])
        #expect(records.map { $0.events.count } == [1, 0, 1, 0, 1])
        #expect(records[1].rejection == "truncated JSON document starting at line 2: a string does not end")
        #expect(records[3].rejection == "truncated JSON document starting at line 4")
    }

    @Test func aDocumentThatNeverEndsIsReportedAtTheEnd() throws {
        let text = try sample().split(separator: "\n").dropLast(3).joined(separator: "\n")
        let records = Ingesting.decode(text, with: GraphDecoder())
        #expect(records.count == 1)
        #expect(records.first?.rejection == "incomplete JSON document starting at line 1")
    }

    @Test func anOversizedDocumentIsRefusedAndSkippedInBoundedMemory() throws {
        let decoder = GraphDecoder(maximumDocumentSize: 1 << 20)
        var records = decoder.feed(Array(#"{"value":["#.utf8), lineNumber: 1)
        for line in 2..<4_002 {
            records += decoder.feed(Array((Self.event + ",").utf8), lineNumber: line)
        }
        records += decoder.feed(Array("\(Self.event)]}".utf8), lineNumber: 4_002)
        records += decoder.feed(Array(Self.event.utf8), lineNumber: 4_003)
        records += decoder.finish()
        #expect(records.count == 2)
        #expect(records[0].rejection == "JSON document starting at line 1 is larger than 1 MiB")
        #expect(records[0].raw.count <= 1 << 20 + 1024)
        #expect(records[1].line == 4_003)
        #expect(records[1].events.count == 1)
    }
}
