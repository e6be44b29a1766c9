import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// NanoMDM and MicroMDM webhook bodies exactly as their Go code marshals them
/// (`Tests/Fixtures/real-world/{nanomdm,micromdm}-webhook*`, written from nanomdm's `service/webhook`
/// event schema and micromdm's `workflow/webhook` structs and docs), through `enroll-audit ingest`.
struct WebhookShapesCLITests: FixtureStoreTests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("webhooks.sqlite") }
    static let userEnrollment = "7d1c6a8e0b2f4e93a5c1d0e9f8b7a6c5d4e3f2a1"
    static let mac = "470E005B-17C1-4537-BBB3-0EBC340D432A"
    static let microMDM = "A5EF1BA1-586D-4F29-B4F3-759DADAC2DDD"

    /// Ingests `files` and returns every stored event.
    func ingestAndExport(_ files: [String]) throws -> [JSONValue] {
        try ingest(files)
        return try exported()
    }

    func device(_ id: String) throws -> JSONValue? { try devices()[id] }

    @Test func nanoMDMBodiesInGoFieldOrderWithTraceIDsAndNanosecondOffsetsAreRead() throws {
        let events = try ingestAndExport(["nanomdm-webhooks.ndjson"])
        #expect(events.count == 8)
        #expect(events.allSatisfy { $0["source"] == .string("nanomdm") })
        // A 16-hex trace id is not a UUID: the id is derived from the body, so re-ingesting is a no-op.
        let again = try CommandLineTool.run(
            ["ingest", "--store", store, "--format", "json", Fixtures.path("real-world/nanomdm-webhooks.ndjson")])
        #expect(try JSONParser.parse(again.stdout)["duplicates"] == .int(8))
        let authenticate = try #require(events.first { $0["type"] == .string("mdm.authenticated") })
        #expect(authenticate["occurred_at"] == .string("2026-10-07T07:30:01.123Z"))
        #expect(authenticate["stream"] == .string(Self.userEnrollment))
        #expect(authenticate["data"]?["attempt_id"] == .string("UE-5e0d1c2b3a49"))
        #expect(authenticate["data"]?["product_name"] == .string("iPhone16,1"))
        let labels = try timeline(Self.userEnrollment).compactMap { $0["label"]?.stringValue }
        #expect(labels.filter { $0 == "MDM enrollment completed (first TokenUpdate)" }.count == 1)
        #expect(labels.contains("MDM check-in: TokenUpdate"))
        let status = try #require(try device(Self.userEnrollment))
        #expect(status["step"] == .string("profile_installed"))
        #expect(status["state"] == .string("in_progress"))
        #expect(status["ids"]?.elements?.contains(.string("UE-5e0d1c2b3a49")) == true)
    }

    @Test func anAcknowledgeWithStatusErrorIsAFailureWithItsCommandAndErrorChain() throws {
        let events = try ingestAndExport(["nanomdm-webhooks.ndjson"])
        let failures = events.filter { $0["type"] == .string("mdm.command_failed") }
        #expect(failures.count == 2)
        let install = try #require(
            failures.first { $0["data"]?["command_uuid"] == .string("9c3f7a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b") })
        #expect(install["data"]?["status"] == .string("Error"))
        #expect(install["data"]?["request_type"] == .string("InstallApplication"))
        #expect(install["data"]?["reason"] == .string("MCMDMErrorDomain 12064"))
        #expect(
            install["data"]?["error_chain"]
                == .array([
                    .object([
                        "code": .int(12064), "domain": .string("MCMDMErrorDomain"),
                        "description": .string("The app could not be installed."),
                    ]),
                    .object([
                        "code": .int(1), "domain": .string("ASDErrorDomain"),
                        "description": .string("No licence is available for this app."),
                    ]),
                ]))
        let format = try #require(
            failures.first { $0["data"]?["command_uuid"] == .string("1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6") })
        #expect(format["data"]?["reason"] == .string("CommandFormatError"))
        #expect(format["data"]?["request_type"] == nil)
        let entries = try timeline(Self.userEnrollment)
        let entry = try #require(entries.first { $0["type"] == .string("mdm.command_failed") })
        #expect(entry["outcome"] == .string("failed"))
        #expect(entry["hint"]?["id"] == .string("mdm_app_install_failed"))
        // A refused command is a symptom: the enrollment is not failed by it.
        #expect(try device(Self.userEnrollment)?["state"] == .string("in_progress"))
    }

    @Test func aMacOSUserChannelTokenUpdateIsACheckInOfItsDeviceNotASecondCompletion() throws {
        let events = try ingestAndExport(["nanomdm-webhooks.ndjson"])
        let user = try #require(events.first { $0["data"]?["channel"] == .string("user") })
        #expect(user["type"] == .string("mdm.checked_in"))
        #expect(user["stream"] == .string(Self.mac))
        #expect(user["data"]?["message_type"] == .string("TokenUpdate"))
        #expect(user["data"]?["user_channel_id"] == .string(Self.mac + ":F151140B-3988-45A9-9471-E96B49F27D93"))
        let labels = try timeline(Self.mac).compactMap { $0["label"]?.stringValue }
        #expect(labels == ["MDM enrollment completed (first TokenUpdate)", "MDM check-in: TokenUpdate (user channel)"])
    }

    @Test func microMDMBodiesAreLabelledAndTheirFirstTokenUpdateCompletesTheEnrollment() throws {
        let events = try ingestAndExport(["micromdm-webhooks.ndjson", "micromdm-webhook-pretty.json"])
        #expect(events.count == 5)
        #expect(events.allSatisfy { $0["source"] == .string("micromdm") })
        #expect(events.allSatisfy { $0["stream"] == .string(Self.microMDM) })
        // MicroMDM's event_id is a UUID: it is the event's id.
        #expect(events.contains { $0["event_id"] == .string("99eb840c-3e1f-48a7-a4f9-1ef092445129") })
        let entries = try timeline(Self.microMDM)
        let tokenUpdates = entries.filter { $0["type"] == .string("mdm.token_updated") }
        #expect(
            tokenUpdates.map { $0["label"] } == [
                .string("MDM enrollment completed (first TokenUpdate)"), .string("MDM check-in: TokenUpdate"),
            ])
        #expect(tokenUpdates.map { $0["outcome"] } == [.string("ok"), .string("info")])
        let status = try #require(try device(Self.microMDM))
        #expect(status["state"] == .string("unenrolled"))
        #expect(status["step"] == .string("profile_installed"))
        #expect(status["last_step_at"] == .string("2026-10-07T14:30:16.529Z"))
    }

    @Test func aPrettyPrintedWebhookBodyIsToldByItsMembersNotItsFirstLine() throws {
        let result = try CommandLineTool.run([
            "ingest", "--store", store, "--format", "json", Fixtures.path("real-world/micromdm-webhook-pretty.json"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONParser.parse(result.stdout)
        #expect(summary["sources"]?["nanomdm"]?["appended"] == .int(1))
        #expect(summary["sources"]?["graph"] == nil)
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(export.stdout.contains(#""type":"device.unenrolled""#))
    }

    @Test func goZeroTimeIsKeptAsTheSourceSaidItAndFlaggedInTheTimeline() throws {
        // NanoMDM's own test data POSTs created_at "0001-01-01T00:00:00Z" (an unset time.Time).
        let line = try #require(try Fixtures.lines("real-world/micromdm-webhooks.ndjson").first)
            .replacingOccurrences(of: "2026-10-07T14:30:16.13272395Z", with: "0001-01-01T00:00:00Z")
        let result = try CommandLineTool.run(["ingest", "--store", store, "-"], stdin: Data((line + "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let event = try #require(try exported().first)
        #expect(event["occurred_at"] == .string("0001-01-01T00:00:00.000Z"))
        #expect(event["data"]?["time_unset"] == .string("go_zero_time"))
        let entry = try #require(try timeline(Self.microMDM).first)
        #expect(entry["hint"]?["id"] == .string("mdm_time_unset"))
        let again = try CommandLineTool.run(["ingest", "--store", store, "-"], stdin: Data((line + "\n").utf8))
        #expect(again.stdout.contains("1 duplicates"), "the same body is the same fact")
    }

    @Test func theUserChannelOfAUserEnrollmentIsNotASecondCompletionEither() throws {
        // NanoMDM's `ids` of a User Enrollment's user channel: `EnrollmentID:EnrollmentUserID`, its parent the device.
        let lines = try Fixtures.lines("real-world/nanomdm-webhooks.ndjson")
        let user = lines[1].replacingOccurrences(
            of: #""ids":{"id":"\#(Self.userEnrollment)","type":"User Enrollment (Device)"}"#,
            with:
                #""ids":{"id":"\#(Self.userEnrollment):0b1c2d3e","parent_id":"\#(Self.userEnrollment)","type":"User Enrollment"}"#
        ).replacingOccurrences(of: "a1f3c09d7e6b5a42", with: "b2f3c09d7e6b5a43")
        #expect(user != lines[1])
        let input = (lines[0] + "\n" + lines[1] + "\n" + user + "\n").utf8
        let result = try CommandLineTool.run(["ingest", "--store", store, "-"], stdin: Data(input))
        #expect(result.status == 0, "\(result.stderr)")
        let labels = try timeline(Self.userEnrollment).compactMap { $0["label"]?.stringValue }
        #expect(labels.filter { $0 == "MDM enrollment completed (first TokenUpdate)" }.count == 1)
        #expect(labels.contains("MDM check-in: TokenUpdate (user channel)"))
    }
}
