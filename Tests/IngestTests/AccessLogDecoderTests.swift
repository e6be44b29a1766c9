import EnrollmentDomain
import Foundation
import Ingest
import TestSupport
import Testing

struct AccessLogDecoderTests {
    static let line =
        #"203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "GET /.well-known/com.apple.remotemanagement?user-identifier=eva.silva@contoso.com&model-family=iPad HTTP/1.1" 200 171 "-" "-" "application/json" contoso.com"#

    func decode(_ line: String, format: AccessLogFormat? = nil) -> DecodedRecord {
        let records = AccessLogDecoder(logFormat: format).feed(Array(line.utf8), lineNumber: 9)
        #expect(records.count == 1)
        return records[0]
    }

    @Test func theSampleYieldsSeventySixSuccessesAndFiveFailures() throws {
        let text = try String(contentsOfFile: Fixtures.path("discovery-access.log"), encoding: .utf8)
        let records = Ingesting.decode(text, with: AccessLogDecoder())
        #expect(records.count == 81)
        let events = records.flatMap(\.events)
        #expect(events.count == 81)
        let types = Dictionary(grouping: events, by: \.type).mapValues(\.count)
        #expect(types == ["discovery.succeeded": 76, "discovery.failed": 5])
        let reasons = Dictionary(grouping: events.compactMap { $0.data["reason"]?.stringValue }, by: { $0 })
            .mapValues(\.count)
        #expect(reasons == ["wrong_content_type": 3, "not_found": 2])
        for event in events { try event.validateData() }
    }

    @Test func aDiscoveryRequestMapsToAStreamOfTheUserAndTheSecond() throws {
        let event = try #require(decode(Self.line).events.first)
        #expect(event.type == "discovery.succeeded")
        #expect(event.stream == "web:eva.silva@contoso.com@2026-10-01T19:06:12Z")
        #expect(event.user == "eva.silva@contoso.com")
        #expect(event.source == "access-log")
        #expect(event.occurredAt == Timestamp(iso8601: "2026-10-01T19:06:12Z"))
        #expect(event.eventID == NameBasedUUID.eventID(format: .accessLog, record: Array(Self.line.utf8)))
        #expect(
            event.data == [
                "domain": .string("contoso.com"), "user_identifier": .string("eva.silva@contoso.com"),
                "model_family": .string("iPad"), "http_status": .int(200), "content_type": .string("application/json"),
                "raw": .object(["line": .string(Self.line)]),
            ])
    }

    @Test func plainCombinedLogsWithAnOffsetAndAnEncodedIdentifierAreRead() throws {
        let line =
            #"198.51.100.7 - - [01/Oct/2026:21:06:12 +0200] "GET /.well-known/com.apple.remotemanagement?user-identifier=joe%2Btag%40fabrikam.com HTTP/2.0" 200 171 "-" "Mozilla/5.0 \"quoted\"""#
        let event = try #require(decode(line).events.first)
        #expect(event.type == "discovery.succeeded")
        #expect(event.stream == "web:joe+tag@fabrikam.com@2026-10-01T19:06:12Z")
        #expect(event.data["domain"] == .string("fabrikam.com"))
        #expect(event.data["content_type"] == nil)
        #expect(event.data["model_family"] == nil)
    }

    @Test(arguments: [
        (404, "text/html", "not_found"), (403, "application/json", "forbidden"),
        (200, "text/plain", "wrong_content_type"),
        (200, "-", "wrong_content_type"), (500, "text/html", "http_500"), (301, "-", "http_301"),
    ])
    func failuresCarryAReason(status: Int, contentType: String, reason: String) throws {
        let line = Self.line.replacingOccurrences(of: "200 171", with: "\(status) 171")
            .replacingOccurrences(of: "\"application/json\"", with: "\"\(contentType)\"")
        let event = try #require(decode(line).events.first)
        #expect(event.type == "discovery.failed")
        #expect(event.data["reason"] == .string(reason))
        #expect(event.data["http_status"] == .int(Int64(status)))
        try event.validateData()
    }

    @Test func aJSONTypeWithParametersSucceeds() throws {
        let line = Self.line.replacingOccurrences(
            of: "\"application/json\"", with: "\"Application/JSON; charset=utf-8\"")
        #expect(decode(line).events.first?.type == "discovery.succeeded")
    }

    @Test(arguments: [
        #"203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "GET /index.html HTTP/1.1" 200 171 "-" "-" "text/html" contoso.com"#,
        #"203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "HEAD /.well-known/com.apple.remotemanagement?user-identifier=a@b.c HTTP/1.1" 200 0 "-" "-""#,
        #"203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "POST /.well-known/com.apple.remotemanagement HTTP/1.1" 405 0 "-" "-""#,
        "",
    ])
    func otherRequestsAreSkipped(line: String) {
        #expect(decode(line).isSkipped)
    }

    @Test(arguments: [
        (
            #"1.2.3.4 - - [32/Oct/2026:19:06:12 +0000] "GET /.well-known/com.apple.remotemanagement?user-identifier=a@b.c HTTP/1.1" 200 1 "-" "-""#,
            "field %t is not a time like 01/Oct/2026:19:06:12 +0000"
        ),
        (
            #"1.2.3.4 - - [01/Oct/2026:19:06:12 +0000] "GET /.well-known/com.apple.remotemanagement?user-identifier=a@b.c HTTP/1.1" OK 1 "-" "-""#,
            "field %>s is not a three-digit HTTP status"
        ),
        (
            #"1.2.3.4 - - [01/Oct/2026:19:06:12 +0000] "GET /.well-known/com.apple.remotemanagement?user-identifier=%E2%28 HTTP/1.1" 200 1 "-" "-""#,
            "the query parameter user-identifier is not valid percent-encoded UTF-8"
        ),
    ])
    func discoveryLinesThatCannotBeReadAreRejectedWithAReason(line: String, reason: String) {
        #expect(decode(line, format: .combined).rejection == reason)
    }

    @Test func aLineOfNoPresetIsRefusedWithAnAskForTheFormatAndTheRestPointBack() {
        let records = Ingesting.decode("hello world\n\(Self.line)\n", with: AccessLogDecoder())
        #expect(
            records[0].rejection?.hasPrefix("cannot tell the access-log format: no preset (common, combined") == true)
        #expect(
            records[0].rejection?.hasSuffix(
                "name it with --log-format (a preset, an nginx log_format or an Apache LogFormat string)") == true)
        #expect(records[1].rejection == "the access-log format is not known (see line 1)")
    }

    @Test func aNonUTF8RequestIsRejected() {
        var bytes = Array(Self.line.utf8)
        bytes[100] = 0xC3
        bytes[101] = 0x28
        #expect(AccessLogDecoder().feed(bytes, lineNumber: 1).first?.rejection == "field $request is not valid UTF-8")
    }
}
