import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Joins that put two devices or two attempts into one enrollment are flagged, whatever the order the
/// events arrive in.
struct CLIConflictTests {
    let directory = TemporaryDirectory()

    /// An attempt that installed the profile as E-ONE, a CheckOut of another device (E-TWO) whose
    /// `url_params` carried that attempt's id, and two attempts whose `discovery.failed` fall in one second.
    static let lines = [
        #"{"event_id":"11111111-1111-4111-8111-111111111101","stream":"UE-att1","type":"discovery.succeeded","occurred_at":"2026-10-01T10:00:00.000Z","source":"enrollment-service","user":"ann@contoso.com","data":{"domain":"contoso.com","user_identifier":"ann@contoso.com","http_status":200}}"#,
        #"{"event_id":"11111111-1111-4111-8111-111111111102","stream":"UE-att1","type":"profile.installed","occurred_at":"2026-10-01T10:02:00.000Z","source":"enrollment-service","user":"ann@contoso.com","data":{"enrollment_id":"E-ONE"}}"#,
        #"{"event_id":"11111111-1111-4111-8111-111111111103","stream":"E-TWO","type":"device.unenrolled","occurred_at":"2026-10-02T10:00:00.000Z","source":"nanomdm","data":{"enrollment_id":"E-TWO","attempt_id":"UE-att1"}}"#,
        #"{"event_id":"11111111-1111-4111-8111-111111111104","stream":"UE-x","type":"discovery.failed","occurred_at":"2026-10-03T10:00:00.100Z","source":"enrollment-service","user":"bob@contoso.com","data":{"domain":"contoso.com","user_identifier":"bob@contoso.com","http_status":404,"reason":"not_found"}}"#,
        #"{"event_id":"11111111-1111-4111-8111-111111111105","stream":"UE-y","type":"discovery.failed","occurred_at":"2026-10-03T10:00:00.900Z","source":"enrollment-service","user":"bob@contoso.com","data":{"domain":"contoso.com","user_identifier":"bob@contoso.com","http_status":500,"reason":"server_error"}}"#,
    ]

    func store(_ lines: [String], name: String) throws -> String {
        try directory.ingestedStore(lines, name: name)
    }

    func conflicts(_ store: String, _ id: String) throws -> [JSONValue] {
        let result = try CommandLineTool.run(["show", id, "--store", store, "--format", "json"])
        try #require(result.status == 0, "\(result.stderr)")
        guard case .array(let conflicts) = try Parsed.array(result.stdout).first?.objectValue?["conflicts"] else {
            Issue.record("no conflicts array")
            return []
        }
        return conflicts
    }

    @Test func twoEnrollmentIDsOrTwoAttemptsInOneEnrollmentAreFlagged() throws {
        let store = try store(Self.lines, name: "conflicts")
        #expect(
            try conflicts(store, "UE-att1") == [
                .object(["kind": .string("enrollment_ids"), "ids": .array([.string("E-ONE"), .string("E-TWO")])])
            ])
        #expect(
            try conflicts(store, "bob@contoso.com") == [
                .object(["kind": .string("attempts"), "ids": .array([.string("UE-x"), .string("UE-y")])])
            ])
        let listed = try CommandLineTool.run(["devices", "--conflicted", "--store", store, "--format", "ndjson"])
        let enrollments = try Parsed.lines(listed.stdout).compactMap { $0.objectValue?["enrollment"]?.stringValue }
        #expect(Set(enrollments) == ["UE-att1", "UE-x"])
        let timeline = try CommandLineTool.run(["timeline", "UE-y", "--store", store])
        #expect(timeline.stdout.contains("conflict: two attempts that each reported their own discovery were joined"))
        let json = try CommandLineTool.run(["timeline", "UE-att1", "--store", store, "--format", "json"])
        let document = try Parsed.object(json.stdout)
        guard case .array(let statuses) = document["enrollments"] else { throw CocoaError(.coderReadCorrupt) }
        #expect(statuses.first?.objectValue?["conflicts"].map { $0 != .array([]) } == true)
    }

    @Test func theFlagsDoNotDependOnTheOrderOfArrival() throws {
        let forward = try store(Self.lines, name: "forward")
        let backward = try store(Self.lines.reversed(), name: "backward")
        for id in ["UE-att1", "E-TWO", "UE-x", "UE-y"] {
            #expect(try conflicts(forward, id) == conflicts(backward, id), "\(id)")
        }
    }

    @Test func theSamplesHaveNoConflicts() throws {
        let samples = try SampleStoreFile()
        let result = try samples.run(["devices", "--conflicted", "--format", "json"])
        #expect(result.status == 0)
        #expect(try Parsed.array(result.stdout).isEmpty)
    }
}
