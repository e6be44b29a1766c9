import EnrollmentDomain
import Foundation
import Service
import TestSupport
import Testing

struct WebhookTests {
    static let key = "nanomdm-webhook-secret-7f3a"

    /// The signature NanoMDM sends, computed by `openssl` (the reference, independent of the service).
    static func signature(_ body: [UInt8], key: String = key) throws -> String {
        let directory = TemporaryDirectory()
        let file = directory.path("body")
        try Data(body).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "openssl dgst -sha256 -hmac \"$KEY\" -binary < \"$FILE\" | base64"]
        process.environment = ["KEY": key, "FILE": file, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func configureKey(_ configuration: inout ServiceConfiguration) {
        configuration.webhookHMACKey = Array(key.utf8)
    }

    @Test func everySignedWebhookOfTheSampleIsStoredAsTheCLIIngestStoresTheFile() async throws {
        let bodies = try Fixtures.lines("nanomdm-webhook.ndjson").filter { !$0.isEmpty }
        let directory = TemporaryDirectory()
        let cli = try CommandLineTool.run(
            ["ingest", "--store", directory.path("cli.sqlite"), Fixtures.path("nanomdm-webhook.ndjson")])
        #expect(cli.status == 0)
        try await TestServer.with(configure: Self.configureKey) { server in
            for body in bodies {
                let bytes = Array(body.utf8)
                let answer = try await server.request(
                    .POST, "/webhooks/mdm",
                    headers: Headers.json + [("X-Hmac-Signature", try Self.signature(bytes))], body: bytes)
                #expect(answer.status == 200, "\(answer.text.prefix(300))")
                #expect(answer["appended"]?.intValue == 1)
            }
            let served = try CommandLineTool.run(["export", "--store", server.storePath]).stdout
            let ingested = try CommandLineTool.run(["export", "--store", directory.path("cli.sqlite")]).stdout
            #expect(EventsEndpointTests.eventIDs(served) == EventsEndpointTests.eventIDs(ingested))
            #expect(EventsEndpointTests.eventIDs(served).count == bodies.count)

            // NanoMDM does not retry, but a proxy may: the same body again is a duplicate, not a second event.
            let again = Array(bodies[0].utf8)
            let retry = try await server.request(
                .POST, "/webhooks/mdm", headers: Headers.json + [("X-Hmac-Signature", try Self.signature(again))],
                body: again)
            #expect(retry.status == 200)
            #expect(retry["duplicates"]?.intValue == 1)
            #expect(try server.eventCount() == Int64(bodies.count))
        }
    }

    @Test(
        arguments: [
            ("missing", nil), ("of another key", "other-key"), ("not base64", "!!!"), ("of another body", "body"),
        ] as [(String, String?)])
    func aWebhookWithABadOrMissingSignatureIs401AndNothingIsStored(_ name: String, _ variant: String?) async throws {
        let body = Array(try Fixtures.lines("nanomdm-webhook.ndjson")[0].utf8)
        var headers = Headers.json
        switch variant {
        case nil: break
        case "other-key": headers.append(("X-Hmac-Signature", try Self.signature(body, key: "other-key")))
        case "body": headers.append(("X-Hmac-Signature", try Self.signature(Array("{}".utf8))))
        default: headers.append(("X-Hmac-Signature", variant!))
        }
        try await TestServer.with(configure: Self.configureKey) { server in
            let answer = try await server.request(.POST, "/webhooks/mdm", headers: headers, body: body)
            #expect(answer.status == 401, "\(name)")
            #expect(answer["type"]?.stringValue == "urn:enroll-audit:problem:bad-signature")
            #expect(try server.eventCount() == 0)
        }
    }

    @Test func aPrettyPrintedWebhookBodyIsOneRecord() async throws {
        let line = try Fixtures.lines("nanomdm-webhook.ndjson")[0]
        let pretty = Array(try JSONParser.parse(Array(line.utf8)).prettyString.utf8)
        try await TestServer.with { server in
            let answer = try await server.request(.POST, "/webhooks/mdm", headers: Headers.json, body: pretty)
            #expect(answer.status == 200, "\(answer.text.prefix(300))")
            #expect(answer["appended"]?.intValue == 1)
        }
    }
}
