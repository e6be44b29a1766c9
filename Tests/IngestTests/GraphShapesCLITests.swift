import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

@testable import Ingest

/// Graph `deviceManagement/troubleshootingEvents` as admins export it
/// (`Tests/Fixtures/real-world/graph-*`, written from the Graph `enrollmentTroubleshootingEvent` resource
/// of `/v1.0` and `/beta`): bare arrays (PowerShell `ConvertTo-Json`, `jq '[.value[]]'`), pages one per
/// line and pretty-printed with `@odata.nextLink`, UTF-16 from Windows PowerShell's `Out-File`.
struct GraphShapesCLITests: FixtureStoreTests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("graph.sqlite") }
    static let deviceCap = "c0ffee00-1111-4222-8333-444455556666"
    static let unlicensed = "c0ffee00-2222-4333-8444-555566667777"
    static let profile = "c0ffee00-3333-4444-8555-666677778888"

    @Test(arguments: [
        ("graph-bare-array.json", [deviceCap, unlicensed]),
        ("graph-pages-per-line.ndjson", [deviceCap, unlicensed, profile]),
        ("graph-pretty-pages.json", [deviceCap, unlicensed, profile]),
        ("graph-utf16le.json", [profile]),
    ])
    func everyExportShapeYieldsOneEventPerGraphEvent(file: String, enrollments: [String]) throws {
        let summary = try ingest([file])
        #expect(summary["sources"]?["graph"]?["appended"] == .int(Int64(enrollments.count)))
        #expect(Set(try devices().keys) == Set(enrollments))
    }

    @Test func intuneFailuresAreBlamedOnTheStepWhereTheyHappenNeverDiscovery() throws {
        _ = try ingest(["graph-pages-per-line.ndjson"])
        let devices = try devices()
        let expected = [
            Self.deviceCap: ("profile_installed", "DeviceCapReached"),
            Self.unlicensed: ("account_sign_in", "UserNotLicensed"),
            Self.profile: ("profile_installed", "Profile installation failed"),
        ]
        for (id, (step, reason)) in expected {
            #expect(devices[id]?["state"] == .string("failed"))
            #expect(devices[id]?["failure"]?["step"] == .string(step), "\(id)")
            #expect(devices[id]?["failure"]?["reason"] == .string(reason))
        }
    }

    @Test func theBetaRestatementOfAV1EventIsOneFactAndTheFirstStoredIsKept() throws {
        _ = try ingest(["graph-pages-per-line.ndjson"])
        let summary = try ingest(["graph-beta-restated.json"])
        #expect(summary["appended"] == .int(0))
        #expect(summary["duplicates"] == .int(3))
        #expect(summary["sources"]?["graph"]?["restated"] == .int(3))
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(export.stdout.split(separator: "\n").count == 3)
        #expect(!export.stdout.contains("troubleshootingErrorDetails"), "the /v1.0 form stored first is kept")
        let text = try CommandLineTool.run([
            "ingest", "--store", store, Fixtures.path("real-world/graph-beta-restated.json"),
        ])
        #expect(text.stdout.contains("3 duplicates (3 restated with other fields, the first stored kept)"))
    }

    @Test func nilAndEmptyIdsAreNeverIdentityLinks() throws {
        _ = try ingest(["graph-pages-per-line.ndjson"])
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(!export.stdout.contains(#""intune_device_id":"00000000"#))
        #expect(!export.stdout.contains(#""entra_device_id":"00000000"#))
        #expect(!export.stdout.contains(#""entra_device_id":"""#))
        for device in try devices().values {
            #expect(device["ids"]?.elements?.contains(.string("00000000-0000-0000-0000-000000000000")) == false)
        }
    }

    @Test func aUTF16InputCutInTheMiddleOfACodeUnitIsNamed() throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("real-world/graph-utf16le.json")))
        bytes.removeLast()
        let result = try CommandLineTool.run(["ingest", "--store", store, "--from", "graph", "-"], stdin: bytes)
        #expect(result.status != 0)
        #expect(
            result.stderr.contains("the input is UTF-16 (it starts with a byte order mark) but is not valid UTF-16"))
    }

    @Test func aBigEndianUTF16InputIsTranscodedToo() throws {
        let text = try String(contentsOfFile: Fixtures.path("real-world/graph-pages-per-line.ndjson"), encoding: .utf8)
        var bytes = Data([0xFE, 0xFF])
        bytes.append(text.data(using: .utf16BigEndian) ?? Data())
        let result = try CommandLineTool.run(["ingest", "--store", store, "-"], stdin: bytes)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("graph: 3 records: 3 appended"))
    }
}

/// A compact Graph page on one line longer than the line limit is read in pieces, event by event.
struct GraphPageStreamingTests {
    let directory = TemporaryDirectory()

    static func page(events count: Int, padding: Int, broken: Int? = nil) -> String {
        let events = (0..<count).map { index in
            let time = index == broken ? "yesterday" : "2026-10-08T08:00:\(String(format: "%02d", index % 60))Z"
            return
                ##"{"@odata.type":"#microsoft.graph.enrollmentTroubleshootingEvent","id":"\##(UUID().uuidString.lowercased())","eventDateTime":"\##(time)","correlationId":"\##(UUID().uuidString.lowercased())","failureCategory":"badRequest","failureReason":"x","padding":"\##(String(repeating: "p", count: padding))"}"##
        }
        return
            #"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#deviceManagement/troubleshootingEvents","value":["#
            + events.joined(separator: ",") + "]}"
    }

    @Test func aPageLongerThanTheLineLimitYieldsEveryEventWithItsOwnBytes() throws {
        let store = try SQLiteEventStore(path: directory.path("stream.sqlite"))
        var options = IngestOptions()
        options.maximumLineLength = 4096
        let text = Self.page(events: 60, padding: 300, broken: 41) + "\n" + Self.page(events: 2, padding: 10) + "\n"
        options.rejectFile = directory.path("rejects.txt")
        let summary = try Ingesting.run(text: text, in: directory, into: store, options: options)
        #expect(summary.sources["graph"]?.appended == 61)
        #expect(summary.sources["graph"]?.rejected == 1)
        let rejects = try String(contentsOfFile: directory.path("rejects.txt"), encoding: .utf8)
        #expect(rejects.hasPrefix("# \(directory.path("input.txt")):1: value[41].eventDateTime must be an RFC 3339"))
        #expect(rejects.contains("\n{\"@odata.type\""), "the reject file holds the event's own bytes")
    }

    @Test func aNineMegabytePageOnOneLineIsIngestedThroughTheBinary() throws {
        let path = directory.path("page.json")
        try Data((Self.page(events: 9, padding: 1 << 20) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let result = try CommandLineTool.run(["ingest", "--store", directory.path("s.sqlite"), path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("graph: 9 records: 9 appended"))
    }
}
