import EnrollmentDomain
import Foundation
import Service
import TestSupport
import Testing

/// Webhooks exactly as NanoMDM's webhook service sends them (its `service/webhook` package): `POST` with
/// `Content-Type: application/json; charset=utf-8`, the body from Go's `json.Marshal` of its event struct
/// (members in the struct's order, `&`, `<` and `>` escaped as `\u0026`…, `created_at` as RFC 3339 with
/// nanoseconds and the server's offset, `event_id` a trace id that is not a UUID), signed in
/// `X-Hmac-Signature` with base64 HMAC-SHA256 keyed by the bytes of the `-webhook-hmac-key` flag's string.
struct NanoMDMWireTests {
    /// The flag's value as `docs/serve.md` sets it: the key file's text, its final line break dropped.
    static let flagKey = "3f9a0c2e7d41b85a6c0e9f1d2b3a4c5d"
    static let enrollmentID = "a41f0c9d2e7b4a5c8d1e3f6a9b0c2d4e6f8a1b3c"
    static let attempt = "UE-5d1c0e9a7b3f"

    /// A check-in plist as a device sends it, base64 as NanoMDM's `b64` writes it.
    static func payload(_ messageType: String, _ extra: String = "") -> String {
        let plist = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            \t<key>EnrollmentID</key>
            \t<string>\(enrollmentID)</string>
            \t<key>MessageType</key>
            \t<string>\(messageType)</string>\(extra)
            </dict>
            </plist>

            """
        return Data(plist.utf8).base64EncodedString()
    }

    /// `url_params` as Go marshals a `map[string]string`: keys sorted, `&` escaped.
    static let urlParams = #"{"attempt":"\#(attempt)","src":"mdm\u0026byod"}"#
    static let ids = #"{"id":"\#(enrollmentID)","type":"User Enrollment (Device)"}"#

    /// The three bodies of one enrollment: Authenticate, the first TokenUpdate, a command result.
    static let bodies: [String] = [
        #"{"checkin_event":{"enrollment_id":"\#(enrollmentID)","ids":\#(ids),"raw_payload":"\#(payload("Authenticate", "\n\t<key>Model</key>\n\t<string>iPhone16,1</string>"))","url_params":\#(urlParams)},"created_at":"2026-10-05T15:52:50.081234567-07:00","event_id":"7c1e5a2f9b3d4e60","topic":"mdm.Authenticate"}"#,
        #"{"checkin_event":{"enrollment_id":"\#(enrollmentID)","ids":\#(ids),"raw_payload":"\#(payload("TokenUpdate", "\n\t<key>Token</key>\n\t<string>2+XPE+L6Ro1k5ul9APpg8HQ+fgHKypHcya2cajDf8KI=</string>"))","token_update_tally":1,"url_params":\#(urlParams)},"created_at":"2026-10-05T15:52:57.1364-07:00","event_id":"7c1e5a2f9b3d4e61","topic":"mdm.TokenUpdate"}"#,
        #"{"acknowledge_event":{"command_uuid":"0b7e2c4a-1f3d-4e5a-9c6b-8d0e2f4a6c8e","enrollment_id":"\#(enrollmentID)","ids":\#(ids),"raw_payload":"\#(Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Status</key><string>Acknowledged</string></dict></plist>\n".utf8).base64EncodedString())","status":"Acknowledged","url_params":\#(urlParams)},"created_at":"2026-10-05T22:53:04Z","event_id":"7c1e5a2f9b3d4e62","topic":"mdm.Connect"}"#,
    ]

    @Test func nanoMDMsSignedWebhooksAreStoredWithTheirTimesInUTCAndTheAttemptOfTheirURL() async throws {
        try await TestServer.with(configure: { $0.webhookHMACKey = Array(Self.flagKey.utf8) }) { server in
            for body in Self.bodies {
                let bytes = Array(body.utf8)
                let answer = try await server.request(
                    .POST, "/webhooks/mdm",
                    headers: [
                        ("Content-Type", "application/json; charset=utf-8"),
                        ("X-Hmac-Signature", try WebhookTests.signature(bytes, key: Self.flagKey)),
                        ("User-Agent", "Go-http-client/1.1"),
                    ], body: bytes)
                #expect(answer.status == 200, "\(answer.text.prefix(300))")
                #expect(answer["appended"]?.intValue == 1)
            }
            let export = try await server.request(.GET, "/v1/export?id=\(Self.attempt)&proof=false")
            #expect(export.status == 200)
            let events = export.text.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }
            #expect(
                events.compactMap { $0.objectValue?["type"]?.stringValue }
                    == ["mdm.authenticated", "mdm.token_updated", "mdm.checked_in"])
            #expect(
                events.compactMap { $0.objectValue?["occurred_at"]?.stringValue }
                    == ["2026-10-05T22:52:50.081Z", "2026-10-05T22:52:57.136Z", "2026-10-05T22:53:04.000Z"])
            #expect(events.allSatisfy { $0.objectValue?["stream"]?.stringValue == Self.enrollmentID })
        }
    }

    @Test func aNanoMDMWebhookSignedWithTheKeyFilesLineBreakIsRefused() async throws {
        // `-webhook-hmac-key "$(cat key)"` drops the line break; a key passed with it signs other bytes.
        let body = Array(Self.bodies[0].utf8)
        try await TestServer.with(configure: { $0.webhookHMACKey = Array(Self.flagKey.utf8) }) { server in
            let answer = try await server.request(
                .POST, "/webhooks/mdm",
                headers: Headers.json + [
                    ("X-Hmac-Signature", try WebhookTests.signature(body, key: Self.flagKey + "\n"))
                ],
                body: body)
            #expect(answer.status == 401)
            #expect(try server.eventCount() == 0)
        }
    }
}
