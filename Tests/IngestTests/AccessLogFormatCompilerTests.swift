import EnrollmentDomain
import Foundation
import Testing

@testable import Ingest

/// The access-log format compiler: nginx variables, Apache directives and W3C field names to typed
/// fields, and the lines they read.
struct AccessLogFormatCompilerTests {
    static let discoveryTarget = "/.well-known/com.apple.remotemanagement?user-identifier=a%40contoso.com"

    func event(_ line: String, _ format: String) throws -> NewEvent? {
        let decoder = AccessLogDecoder(logFormat: try AccessLogFormat(specification: format))
        return decoder.feed(Array(line.utf8), lineNumber: 1).first?.events.first
    }

    @Test(arguments: [
        // nginx, as pasted from nginx.conf, with ${} and an escape=json parameter.
        (
            #"log_format j escape=json '${remote_addr} [$time_local] "$request" $status' ' "$sent_http_content_type"';"#,
            [AccessLogField.clientAddress, .timeLocal, .request, .status, .contentType]
        ),
        // Apache with conditions, modifiers and headers; %t brings its brackets.
        (
            #"%a %!200,304{X-Forwarded-For}i %>s %t \"%m %U%q %H\" %{Content-Type}o %D"#,
            [
                .clientAddress, .forwardedFor, .status, .timeLocal, .method, .target, .protocolVersion,
                .contentType, .other("%D"),
            ]
        ),
        ("#Fields: date time cs-method cs-uri-stem sc-status", [.date, .time, .method, .path, .status]),
    ])
    func formatStringsCompileToTypedFields(specification: String, fields: [AccessLogField]) throws {
        #expect(try AccessLogFormat(specification: specification).fields == fields)
    }

    @Test func secondsAndMillisecondsSinceNineteenSeventyAreRequestTimes() throws {
        let nginx = try #require(
            try event(#"1790881572.123 "GET \#(Self.discoveryTarget) HTTP/1.1" 200"#, #"$msec "$request" $status"#))
        #expect(nginx.occurredAt == Timestamp(milliseconds: 1_790_881_572_123))
        let apache = try #require(
            try event(#"1790881572123 "GET \#(Self.discoveryTarget) HTTP/1.1" 200"#, #"%{msec}t \"%r\" %>s"#))
        #expect(apache.occurredAt == Timestamp(milliseconds: 1_790_881_572_123))
        #expect(apache.user == "a@contoso.com")
    }

    @Test func aMethodAndAPathWithAQueryMakeTheRequestWhenNoRequestLineIsLogged() throws {
        let line = "2026-10-06 12:00:05 GET /.well-known/com.apple.remotemanagement user-identifier=b@fabrikam.com 200"
        let found = try #require(try event(line, "#Fields: date time cs-method cs-uri-stem cs-uri-query sc-status"))
        #expect(found.stream == "web:b@fabrikam.com@2026-10-06T12:00:05Z")
        #expect(found.data["domain"] == .string("fabrikam.com"))
    }

    @Test func escapedQuotesAndHexEscapesInsideQuotedFieldsDoNotEndThem() throws {
        let line =
            #"192.0.2.1 - - [01/Oct/2026:10:00:00 +0000] "GET \#(Self.discoveryTarget) HTTP/1.1" 200 1 "-" "A \"quoted\" \x22agent\x22""#
        let found = try #require(try event(line, "combined"))
        #expect(found.type == "discovery.succeeded")
    }

    @Test func anUnquotedFieldHoldingASpaceIsNotTheFormat() {
        let format = AccessLogFormat.common
        guard
            case .mismatch(let reason) = format.match(
                Array(#"a b - - [01/Oct/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1"#.utf8))
        else {
            Issue.record("a line with two addresses matched")
            return
        }
        #expect(reason == "%u holds a space")
    }

    @Test(arguments: [
        #"%t \"%m %U%q %H\" %>s"#, #"[$time_local] "$request_method $uri$is_args$args $server_protocol" $status"#,
    ])
    func thePathAndQueryIdiomsReadAsOneTarget(format: String) throws {
        let line = #"[01/Oct/2026:10:00:00 +0000] "GET \#(Self.discoveryTarget)&model-family=iPad HTTP/2.0" 404"#
        let found = try #require(try event(line, format))
        #expect(found.type == "discovery.failed")
        #expect(found.data["model_family"] == .string("iPad"))
    }
}
