import EnrollmentDomain
import Foundation
import Service
import TestSupport
import Testing

struct EventsEndpointTests {
    @Test func aBatchOfNativeEventsIsStoredAndARetryCountsDuplicatesOnly() async throws {
        try await TestServer.with { server in
            let body = EventFactory.ndjsonLines(count: 25, streams: 5).ndjsonBody
            let first = try await server.request(.POST, "/v1/events", headers: Headers.ndjson, body: body)
            #expect(first.status == 200)
            #expect(first["appended"]?.intValue == 25)
            #expect(first["duplicates"]?.intValue == 0)
            #expect(first["positions"]?.arrayValue?.count == 25)
            #expect(try server.eventCount() == 25)

            let retry = try await server.request(.POST, "/v1/events", headers: Headers.ndjson, body: body)
            #expect(retry.status == 200)
            #expect(retry["appended"]?.intValue == 0)
            #expect(retry["duplicates"]?.intValue == 25)
            #expect(try server.eventCount() == 25)
            #expect(try server.store.verify().ok)
        }
    }

    @Test func aBadLineRefusesTheWholeBatchNamingTheLineAndField() async throws {
        try await TestServer.with { server in
            var lines = EventFactory.ndjsonLines(count: 5)
            lines[2] = lines[2].replacingOccurrences(of: #""occurred_at":""#, with: #""occurred_at":"yesterday"#)
            let answer = try await server.request(.POST, "/v1/events", headers: Headers.ndjson, body: lines.ndjsonBody)
            #expect(answer.status == 422)
            #expect(answer.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(answer["type"]?.stringValue == "urn:enroll-audit:problem:invalid-input")
            #expect(answer["status"]?.intValue == 422)
            let error = try #require(answer["errors"]?.arrayValue?.first?.objectValue)
            #expect(error["line"]?.intValue == 3)
            #expect(error["field"]?.stringValue == "occurred_at")
            #expect(try server.eventCount() == 0)
        }
    }

    @Test(arguments: HostileBody.all)
    func aHostileBodyIsRefusedWithAClientErrorAndNothingIsStored(_ hostile: HostileBody) async throws {
        try await TestServer.with(configure: { $0.maximumBodyBytes = 64 << 10 }) { server in
            let answer = try await server.request(
                .POST, hostile.path, headers: [("Content-Type", hostile.contentType)], body: hostile.body)
            #expect(answer.status == hostile.status, "\(hostile.name): \(answer.text.prefix(300))")
            #expect(answer.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(answer.json?.objectValue?["title"]?.stringValue != nil)
            #expect(try server.eventCount() == 0)
        }
    }

    @Test func anUnknownIngestFormatIsABadRequest() async throws {
        try await TestServer.with { server in
            let answer = try await server.request(
                .POST, "/v1/ingest?from=xml", headers: [("Content-Type", "text/plain")], body: Array("x\n".utf8))
            #expect(answer.status == 400)
            #expect(answer["detail"]?.stringValue?.contains("access-log") == true)
        }
    }

    @Test func everySampleFormatIngestsThroughTheIngestEndpointAsTheCLIIngestsIt() async throws {
        let directory = TemporaryDirectory()
        let cliStore = directory.path("cli.sqlite")
        let samples = [
            ("native.ndjson", "native"), ("nanomdm-webhook.ndjson", "nanomdm"),
            ("graph-troubleshooting.json", "graph"), ("discovery-access.log", "access-log"),
        ]
        let cli = try CommandLineTool.run(["ingest", "--store", cliStore] + samples.map { Fixtures.path($0.0) })
        #expect(cli.status == 0, "\(cli.stderr)")
        try await TestServer.with { server in
            for (file, format) in samples {
                let body = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(file))))
                let answer = try await server.request(
                    .POST, "/v1/ingest?from=\(format)", headers: [("Content-Type", "text/plain")], body: body)
                #expect(answer.status == 200, "\(file): \(answer.text.prefix(300))")
            }
            let detected = try await server.request(
                .POST, "/v1/ingest", headers: [("Content-Type", "application/x-ndjson")],
                body: Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("native.ndjson")))))
            #expect(detected.status == 200)
            #expect(detected["appended"]?.intValue == 0)
            let served = try CommandLineTool.run(["export", "--store", server.storePath])
            let exported = try CommandLineTool.run(["export", "--store", cliStore])
            #expect(Self.eventIDs(served.stdout) == Self.eventIDs(exported.stdout))
            #expect(Self.eventIDs(served.stdout).count == 912)
        }
    }

    static func eventIDs(_ ndjson: String) -> Set<String> {
        Set(
            ndjson.split(separator: "\n").compactMap {
                (try? JSONParser.parse(Array($0.utf8)))?.objectValue?["event_id"]?.stringValue
            })
    }
}

/// A body an attacker or a broken client might send, and the status it must get.
struct HostileBody: Sendable, CustomTestStringConvertible {
    var name: String
    var path = "/v1/events"
    var contentType = "application/x-ndjson"
    var body: [UInt8]
    var status: Int

    var testDescription: String { name }

    static var all: [HostileBody] {
        let good = EventFactory.ndjsonLines(count: 1)[0]
        var invalidUTF8 = Array(good.utf8)
        let nameRange = good.range(of: "Outlook")!
        let offset = good.utf8.distance(from: good.startIndex, to: nameRange.lowerBound)
        invalidUTF8[offset] = 0xFF
        invalidUTF8[offset + 1] = 0xFE
        return [
            HostileBody(name: "truncated line", body: Array(good.utf8.prefix(good.utf8.count / 2)), status: 422),
            HostileBody(name: "invalid UTF-8", body: invalidUTF8, status: 422),
            HostileBody(name: "deep nesting", body: Array((String(repeating: "[", count: 30_000)).utf8), status: 422),
            HostileBody(
                name: "deep nesting in data",
                body: Array(
                    good.replacingOccurrences(
                        of: #""tag":"bulk""#,
                        with: #""tag":"# + String(repeating: "{\"a\":", count: 5_000) + "1"
                            + String(repeating: "}", count: 5_000)
                    ).utf8), status: 422),
            HostileBody(name: "a JSON array, not an event", body: Array("[1,2,3]\n".utf8), status: 422),
            HostileBody(
                name: "binary noise", body: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, status: 422),
            HostileBody(name: "wrong content type", contentType: "text/html", body: Array(good.utf8), status: 415),
            HostileBody(
                name: "form data", contentType: "multipart/form-data; boundary=x", body: Array(good.utf8), status: 415),
            HostileBody(name: "over the body limit", body: Array(repeating: 0x20, count: 65 << 10), status: 413),
            HostileBody(
                name: "webhook: not JSON", path: "/webhooks/mdm", contentType: "application/json",
                body: Array("<plist/>".utf8), status: 422),
            HostileBody(
                name: "webhook: wrong content type", path: "/webhooks/mdm", contentType: "text/plain",
                body: Array("{}".utf8), status: 415),
            HostileBody(
                name: "webhook: empty", path: "/webhooks/mdm", contentType: "application/json", body: [], status: 422),
        ]
    }
}
