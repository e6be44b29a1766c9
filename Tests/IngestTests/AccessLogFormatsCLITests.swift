import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Access logs as servers ship them (`Tests/Fixtures/real-world/access-*.log`, written from nginx's
/// `ngx_http_log_module`, Apache's `mod_log_config`, Debian's `vhost_combined`, the W3C extended log format
/// as IIS and CloudFront write it, and AWS's ALB access-log reference), through `enroll-audit ingest`.
struct AccessLogFormatsCLITests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("logs.sqlite") }

    /// One discovery event a fixture must yield.
    struct Expected: Sendable {
        var user: String
        var stream: String
        var type: String
        var reason: String?
        var domain: String
        var status: Int64
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var logFormat: String?
        var skipped: [String: Int]
        var events: [Expected]
        /// Whether the summary must say the format has no Content-Type.
        var blindToContentType: Bool
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(
            file: "access-nginx-main.log", logFormat: nil,
            skipped: [
                "not an HTTP request": 2, "discovery request without user-identifier": 1, "another path": 1,
                "not a GET of the discovery path": 1,
            ],
            events: [
                Expected(
                    user: "ana.lopez@contoso.com", stream: "web:ana.lopez@contoso.com@2026-10-05T07:14:03Z",
                    type: "discovery.succeeded", domain: "contoso.com", status: 200),
                Expected(
                    user: "ben.okafor@contoso.com", stream: "web:ben.okafor@contoso.com@2026-10-05T07:15:10Z",
                    type: "discovery.failed", reason: "not_found", domain: "contoso.com", status: 404),
            ],
            blindToContentType: true),
        Case(
            file: "access-apache-combined.log", logFormat: nil, skipped: ["another path": 1],
            events: [
                Expected(
                    user: "chen.wei+byod@fabrikam.com", stream: "web:chen.wei+byod@fabrikam.com@2026-10-05T08:20:11Z",
                    type: "discovery.succeeded", domain: "fabrikam.com", status: 200),
                Expected(
                    user: "dora.kim@fabrikam.com", stream: "web:dora.kim@fabrikam.com@2026-10-05T08:21:40Z",
                    type: "discovery.failed", reason: "forbidden", domain: "fabrikam.com", status: 403),
            ],
            blindToContentType: true),
        Case(
            file: "access-apache-common.log", logFormat: nil, skipped: ["another path": 1],
            events: [
                Expected(
                    user: "eli.novak@contoso.com", stream: "web:eli.novak@contoso.com@2026-10-06T10:00:00Z",
                    type: "discovery.succeeded", domain: "contoso.com", status: 200)
            ],
            blindToContentType: true),
        Case(
            file: "access-vhost-combined.log", logFormat: nil, skipped: ["another path": 1],
            events: [
                Expected(
                    user: "fay.dubois@fabrikam.com", stream: "web:fay.dubois@fabrikam.com@2026-10-06T10:30:00Z",
                    type: "discovery.failed", reason: "http_500", domain: "enroll.fabrikam.com", status: 500)
            ],
            blindToContentType: true),
        Case(
            file: "access-iis-w3c.log", logFormat: nil, skipped: ["W3C directive": 5, "another path": 1],
            events: [
                Expected(
                    user: "gus.meyer@contoso.com", stream: "web:gus.meyer@contoso.com@2026-10-06T12:00:05Z",
                    type: "discovery.succeeded", domain: "contoso.com", status: 200),
                Expected(
                    user: "hana.sato@contoso.com", stream: "web:hana.sato@contoso.com@2026-10-06T12:05:00Z",
                    type: "discovery.failed", reason: "not_found", domain: "contoso.com", status: 404),
            ],
            blindToContentType: true),
        Case(
            file: "access-cloudfront-w3c.log", logFormat: nil, skipped: ["W3C directive": 2],
            events: [
                Expected(
                    user: "ivan.petrov@contoso.com", stream: "web:ivan.petrov@contoso.com@2026-10-06T13:01:02Z",
                    type: "discovery.succeeded", domain: "enroll.contoso.com", status: 200),
                Expected(
                    user: "jade.moreau@contoso.com", stream: "web:jade.moreau@contoso.com@2026-10-06T13:01:30Z",
                    type: "discovery.failed", reason: "wrong_content_type", domain: "enroll.contoso.com", status: 200),
            ],
            blindToContentType: false),
        Case(
            file: "access-alb.log", logFormat: nil, skipped: ["not an HTTP request": 1],
            events: [
                Expected(
                    user: "kai.jensen@fabrikam.com", stream: "web:kai.jensen@fabrikam.com@2026-10-06T14:20:00Z",
                    type: "discovery.succeeded", domain: "enroll.fabrikam.com", status: 200),
                Expected(
                    user: "lea.rossi@fabrikam.com", stream: "web:lea.rossi@fabrikam.com@2026-10-06T14:21:00Z",
                    type: "discovery.failed", reason: "not_found", domain: "enroll.fabrikam.com", status: 404),
            ],
            blindToContentType: true),
        Case(
            file: "access-nginx-custom.log",
            logFormat: #"log_format custom '$host $time_iso8601 $remote_addr "$request" $status '"#
                + #"'"$sent_http_content_type" $request_time';"#,
            skipped: [:],
            events: [
                Expected(
                    user: "mia.schulz@contoso.com", stream: "web:mia.schulz@contoso.com@2026-10-06T13:00:00Z",
                    type: "discovery.succeeded", domain: "enroll.contoso.com", status: 200),
                Expected(
                    user: "noah.berg@contoso.com", stream: "web:noah.berg@contoso.com@2026-10-06T13:00:09Z",
                    type: "discovery.failed", reason: "wrong_content_type", domain: "enroll.contoso.com", status: 200),
            ],
            blindToContentType: false),
    ]

    @Test(arguments: cases)
    func eachServersLogYieldsItsDiscoveriesAndCountsItsNoiseByReason(_ example: Case) throws {
        let path = Fixtures.path("real-world/" + example.file)
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--format", "json"] + (example.logFormat.map { ["--log-format", $0] } ?? [])
                + [path])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONParser.parse(result.stdout).objectValue)
        let source = try #require(summary["sources"]?["access-log"]?.objectValue)
        #expect(source["appended"] == .int(Int64(example.events.count)))
        #expect(source["rejected"] == .int(0))
        let skips = source["skipped_by_reason"]?.objectValue ?? [:]
        #expect(skips.mapValues { Int($0["count"]?.intValue ?? -1) } == example.skipped)
        let notes = source["notes"]?.elements ?? []
        #expect(
            notes.contains { $0.stringValue?.contains("has no response Content-Type") == true }
                == example.blindToContentType)

        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        let events = try export.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        #expect(events.count == example.events.count)
        for expected in example.events {
            let event = try #require(
                events.first { $0["stream"]?.stringValue == expected.stream }, "\(expected.stream)")
            #expect(event["type"] == .string(expected.type))
            #expect(event["user"] == .string(expected.user))
            #expect(event["source"] == .string("access-log"))
            #expect(event["data"]?["reason"]?.stringValue == expected.reason)
            #expect(event["data"]?["domain"] == .string(expected.domain))
            #expect(event["data"]?["http_status"] == .int(expected.status))
        }
        let devices = try CommandLineTool.run(["devices", "--store", store, "--format", "json"])
        let listed = try #require(try JSONParser.parse(devices.stdout).elements)
        for expected in example.events {
            let device = try #require(listed.first { $0["enrollment"]?.stringValue == expected.stream })
            #expect(device["user"] == .string(expected.user))
            if let reason = expected.reason {
                #expect(device["state"] == .string("failed"))
                #expect(device["failure"]?["step"] == .string("discovery"))
                #expect(device["failure"]?["reason"] == .string(reason))
            } else {
                #expect(device["state"] == .string("in_progress"))
                #expect(device["step"] == .string("discovery"))
            }
        }
    }

    @Test func nginxMainIsNoLongerReadAsAContentTypeFormat() throws {
        // Before formats were told apart, main's "$http_x_forwarded_for" was read as the Content-Type and
        // every success became wrong_content_type.
        let result = try CommandLineTool.run([
            "ingest", "--store", store, "--log-format", "main", Fixtures.path("real-world/access-nginx-main.log"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(export.stdout.contains(#""type":"discovery.succeeded""#))
        #expect(!export.stdout.contains("wrong_content_type"))
    }

    @Test func aLogOfNoKnownFormatAsksForLogFormatAndStoresNothing() throws {
        let result = try CommandLineTool.run([
            "ingest", "--store", store, "--from", "access-log", Fixtures.path("real-world/access-nginx-custom.log"),
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("access-nginx-custom.log:1: cannot tell the access-log format: no preset"))
        #expect(result.stderr.contains("name it with --log-format"))
        #expect(result.stderr.contains("access-nginx-custom.log:2: the access-log format is not known (see line 1)"))
        // Nothing stored: the failed first ingest leaves no store behind either.
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test(arguments: [
        ("$remote_addr [$time_local] $status", "the format has no request ($request, %r"),
        (#"%h %t \"%r\""#, "the format has no response status"),
        (
            "$remote_addr$remote_user [$time_local] \"$request\" $status",
            "$remote_addr and $remote_user have nothing between them"
        ),
        ("${remote_addr", "${ at byte 1 has no closing }"),
        ("plain words", "is neither a preset (common, combined, main, vhost_combined, discovery, w3c, alb)"),
        (#"%h %{%Y}t \"%r\" %>s"#, "only %t, %{sec}t, %{msec}t"),
    ])
    func aLogFormatThatCannotBeCompiledIsRefusedBeforeAnythingIsRead(format: String, message: String) throws {
        let result = try CommandLineTool.run(["ingest", "--store", store, "--log-format", format, "-"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func aDiscoveryLineThatBreaksTheFormatIsBadAndNoiseIsNot() throws {
        let lines = [
            "garbage that is not in the format",
            #"198.51.100.20 - - [05/Oct/2026:09:14:03 +0200] "GET /.well-known/com.apple.remotemanagement?user-identifier=x@contoso.com HTTP/1.1""#,
        ]
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--from", "access-log", "--log-format", "combined", "-"],
            stdin: Data(lines.joined(separator: "\n").utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("1 bad record; nothing was stored"))
        #expect(result.stderr.contains("-:2: not a line of the combined log format: expected `\" ` after %r"))
    }
}

extension JSONValue {
    /// The elements of an array, or `nil`.
    var elements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
