import EnrollmentDomain
import Foundation
import Ingest
import TestSupport
import Testing

/// Builders of webhook lines for the tests.
enum Webhook {
    static let enrollmentID = "2c0e049891ff140fd173c09007c8b06d6e14813c"

    static func plist(_ members: [String: String]) -> String {
        let body = members.keys.sorted().map { "\t<key>\($0)</key>\n\t<string>\(members[$0]!)</string>\n" }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            \(body)</dict>
            </plist>

            """
    }

    static func base64(_ members: [String: String]) -> String {
        Data(plist(members).utf8).base64EncodedString()
    }

    /// A NanoMDM check-in line; `body` members are added to (or replace) the check-in's.
    static func checkin(
        topic: String = "mdm.Authenticate", messageType: String? = nil, eventID: String = UUID().uuidString,
        body: [String: String] = [:], rawBody: String? = nil
    ) -> String {
        let type = messageType ?? String(topic.dropFirst(4))
        let payload = base64(["MessageType": type, "EnrollmentID": enrollmentID, "OSVersion": "18.1"])
        var members = [
            "enrollment_id": "\"\(enrollmentID)\"", "url_params": #"{"attempt":"UE-0eabbd433ea5"}"#,
            "raw_payload": "\"\(payload)\"",
        ]
        for (key, value) in body { members[key] = value }
        let checkin =
            rawBody ?? "{" + members.keys.sorted().map { "\"\($0)\":\(members[$0]!)" }.joined(separator: ",") + "}"
        return
            #"{"topic":"\#(topic)","event_id":"\#(eventID)","created_at":"2026-10-01T19:08:58.888Z","checkin_event":\#(checkin)}"#
    }
}

struct NanoMDMDecoderTests {
    func decode(_ line: String, attemptParameter: String = "attempt") -> DecodedRecord {
        let records = NanoMDMDecoder(attemptParameter: attemptParameter).feed(Array(line.utf8), lineNumber: 7)
        #expect(records.count == 1)
        return records[0]
    }

    @Test func theSampleYieldsOneEventPerLine() throws {
        let text = try String(contentsOfFile: Fixtures.path("nanomdm-webhook.ndjson"), encoding: .utf8)
        let records = Ingesting.decode(text, with: NanoMDMDecoder())
        #expect(records.count == 126)
        #expect(records.allSatisfy { $0.events.count == 1 })
        let types = Dictionary(grouping: records.flatMap(\.events), by: \.type).mapValues(\.count)
        #expect(types == ["mdm.authenticated": 61, "mdm.token_updated": 61, "device.unenrolled": 4])
        for event in records.flatMap(\.events) {
            try event.validateData()
            #expect(event.source == "nanomdm")
            #expect(event.user == nil)
            #expect(event.data["attempt_id"]?.stringValue?.hasPrefix("UE-") == true)
            #expect(event.stream == event.data["enrollment_id"]?.stringValue)
        }
    }

    @Test func authenticateMapsThePlistAndKeepsTheRecordWithItsXML() throws {
        let line = try #require(Fixtures.lines("nanomdm-webhook.ndjson").first)
        let event = try #require(decode(line).events.first)
        #expect(event.eventID == UUID(uuidString: "1f071847-13bf-48c1-a399-e624bd991dec"))
        #expect(event.type == "mdm.authenticated")
        #expect(event.stream == "2c0e049891ff140fd173c09007c8b06d6e14813c")
        #expect(event.occurredAt == Timestamp(iso8601: "2026-10-01T19:08:58.888Z"))
        #expect(event.data["os_version"] == .string("18.1"))
        #expect(event.data["build_version"] == .string("22B83"))
        #expect(event.data["product_name"] == .string("iPad14,1"))
        #expect(event.data["attempt_id"] == .string("UE-0eabbd433ea5"))
        #expect(event.data["topic"] == .string("mdm.Authenticate"))
        let checkin = try #require(event.data["raw"]?["checkin_event"]?.objectValue)
        // The XML reproduces the base64 exactly, so only the readable form is kept.
        #expect(checkin["raw_payload"] == nil)
        let xml = try #require(checkin["raw_payload_xml"]?.stringValue)
        #expect(xml.contains("<string>Authenticate</string>"))
        #expect(line.contains(Data(xml.utf8).base64EncodedString()))
        #expect(event.data["raw"]?["event_id"] == .string("1f071847-13bf-48c1-a399-e624bd991dec"))
    }

    @Test func tokenUpdateAndCheckOutMapToTheirTypes() throws {
        let token = try #require(
            decode(Webhook.checkin(topic: "mdm.TokenUpdate", body: ["token_update_tally": "1"])).events.first)
        #expect(token.type == "mdm.token_updated")
        #expect(token.data["token_update_tally"] == .int(1))
        let checkout = try #require(decode(Webhook.checkin(topic: "mdm.CheckOut")).events.first)
        #expect(checkout.type == "device.unenrolled")
        #expect(checkout.data["by"] == .string("checkout"))
        #expect(checkout.data["enrollment_id"] == .string(Webhook.enrollmentID))
    }

    @Test(arguments: ["mdm.DeclarativeManagement", "mdm.UserAuthenticate", "mdm.SetBootstrapToken"])
    func otherCheckInsAreCheckedInWithTheirMessageType(topic: String) throws {
        let event = try #require(decode(Webhook.checkin(topic: topic)).events.first)
        #expect(event.type == "mdm.checked_in")
        #expect(event.data["message_type"] == .string(String(topic.dropFirst(4))))
        try event.validateData()
    }

    @Test func commandResultsAreCheckedInAsAcknowledgements() throws {
        let payload = Webhook.base64([
            "Status": "Acknowledged", "CommandUUID": "c1", "EnrollmentID": Webhook.enrollmentID,
        ])
        let line =
            #"{"topic":"mdm.Connect","event_id":"\#(UUID())","created_at":"2026-10-01T19:09:00Z","acknowledge_event":{"enrollment_id":"\#(Webhook.enrollmentID)","status":"Acknowledged","command_uuid":"c1","raw_payload":"\#(payload)"}}"#
        let event = try #require(decode(line).events.first)
        #expect(event.type == "mdm.checked_in")
        #expect(event.data["message_type"] == .string("Acknowledge:Acknowledged"))
        #expect(event.data["raw"]?["acknowledge_event"]?["raw_payload_xml"] != nil)
    }

    @Test func microMDMsUDIDShapeIsReadWithItsOwnSource() throws {
        let udid = "00008101-001A2D3C0E38001E"
        let payload = Webhook.base64(["MessageType": "Authenticate", "UDID": udid, "OSVersion": "17.5"])
        let line =
            #"{"topic":"mdm.Authenticate","event_id":"\#(UUID())","created_at":"2026-10-01T19:09:00Z","checkin_event":{"udid":"\#(udid)","url_params":{"try":"UE-1"},"raw_payload":"\#(payload)"}}"#
        let event = try #require(decode(line, attemptParameter: "try").events.first)
        #expect(event.source == "micromdm")
        #expect(event.stream == udid)
        #expect(event.data["enrollment_id"] == .string(udid))
        #expect(event.data["attempt_id"] == .string("UE-1"))
    }

    @Test func theEnrollmentIDFallsBackToThePlist() throws {
        let line = Webhook.checkin(body: ["enrollment_id": "null"])
        #expect(decode(line).events.first?.stream == Webhook.enrollmentID)
    }

    @Test func aRecordWithoutAUUIDGetsTheSameDerivedIDEveryTime() throws {
        let line = Webhook.checkin(eventID: "not-a-uuid")
        let first = try #require(decode(line).events.first)
        let second = try #require(decode(line).events.first)
        #expect(first.eventID == second.eventID)
        #expect(first.eventID == NameBasedUUID.eventID(format: .nanomdm, record: Array(line.utf8)))
    }

    @Test func aBinaryPlistKeepsItsBase64() throws {
        let plist: [String: Any] = ["MessageType": "Authenticate", "EnrollmentID": Webhook.enrollmentID]
        let binary = try PropertyListSerialization.data(fromPropertyList: plist, format: .binary, options: 0)
        let payload = binary.base64EncodedString()
        let event = try #require(decode(Webhook.checkin(body: ["raw_payload": "\"\(payload)\""])).events.first)
        #expect(event.data["raw"]?["checkin_event"]?["raw_payload"] == .string(payload))
        #expect(event.data["raw"]?["checkin_event"]?["raw_payload_xml"] == nil)
    }

    @Test func base64WithLineBreaksIsRefused() throws {
        var wrapped = Webhook.base64(["MessageType": "Authenticate", "EnrollmentID": Webhook.enrollmentID])
        wrapped.insert(contentsOf: "\\r\\n", at: wrapped.index(wrapped.startIndex, offsetBy: 76))
        let record = decode(Webhook.checkin(body: ["raw_payload": "\"\(wrapped)\""]))
        #expect(record.rejection == "checkin_event.raw_payload is not valid base64")
    }

    @Test(arguments: [
        (Webhook.checkin(topic: "mdm.Foo"), "topic 'mdm.Foo' is not a known webhook topic"),
        (Webhook.checkin(body: ["raw_payload": "\"@@not base64@@\""]), "checkin_event.raw_payload is not valid base64"),
        (
            Webhook.checkin(body: ["raw_payload": "\"\(Data("<plist><dict><key>".utf8).base64EncodedString())\""]),
            "checkin_event.raw_payload is not a valid property list"
        ),
        (Webhook.checkin(body: ["raw_payload": "null"]), "checkin_event.raw_payload is required"),
        (
            Webhook.checkin(body: [
                "enrollment_id": "\"\"", "raw_payload": "\"\(Webhook.base64(["MessageType": "Authenticate"]))\"",
            ]),
            "checkin_event.enrollment_id is missing (no enrollment_id, EnrollmentID, udid or UDID)"
        ),
        (
            Webhook.checkin().replacingOccurrences(of: "2026-10-01T19:08:58.888Z", with: "yesterday"),
            "created_at must be an RFC 3339 date-time such as 2026-10-01T16:35:20.116Z"
        ),
        (
            Webhook.checkin(topic: "mdm.TokenUpdate", body: ["token_update_tally": "\"one\""]),
            "checkin_event.token_update_tally must be an integer, not string"
        ),
        (
            Webhook.checkin(body: ["url_params": #"{"attempt":7}"#]),
            "checkin_event.url_params.attempt must be a string, not integer"
        ),
        (
            Webhook.checkin(topic: "mdm.TokenUpdate", messageType: "Authenticate"),
            "checkin_event.raw_payload MessageType does not match topic 'mdm.TokenUpdate'"
        ),
        (
            #"{"topic":"mdm.Authenticate","event_id":"x","created_at":"2026-10-01T19:08:58Z"}"#,
            "checkin_event is required"
        ),
        (#"{"event_id":"x"}"#, "topic is required"),
        (#"["mdm.Authenticate"]"#, "a webhook body must be a JSON object, not array"),
    ])
    func badRecordsAreRejectedNamingTheField(line: String, reason: String) {
        #expect(decode(line).rejection == reason)
    }

    @Test func truncatedAndNonUTF8LinesAreRejectedAndBlankLinesSkipped() throws {
        let line = Webhook.checkin()
        // A truncated body is cut off where its string ends, so it cannot swallow the next body.
        let records = Ingesting.decode(String(line.prefix(80)) + "\n" + line + "\n", with: NanoMDMDecoder())
        #expect(records.count == 2)
        #expect(records[0].rejection?.hasPrefix("truncated JSON document starting at line 1") == true)
        #expect(records[1].events.count == 1)
        var bytes = Array(line.utf8)
        bytes[12] = 0xFF
        let nonUTF8 = NanoMDMDecoder().feed(bytes, lineNumber: 3)
        #expect(nonUTF8.first?.rejection?.hasPrefix("invalid JSON") == true)
        #expect(NanoMDMDecoder().feed(Array("  ".utf8), lineNumber: 4).first?.isSkipped == true)
    }
}
