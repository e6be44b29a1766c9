import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `devices`, `show` and `timeline` on the four samples, in every format, as a script reads them.
struct CLIQueryTests {
    let samples: SampleStoreFile
    let asOf = ["--as-of", SampleStoreFile.asOf]

    init() throws {
        samples = try SampleStoreFile()
    }

    static let deviceKeys: Set<String> = [
        "enrollment", "ids", "user", "state", "step", "failure", "os_version", "model", "first_seen", "last_seen",
        "time_to_enroll_s", "events", "stalled",
    ]

    @Test func devicesPrintsTheSameEnrollmentsInEveryFormat() throws {
        let json = try samples.run(["devices", "--format", "json"] + asOf)
        #expect(json.status == 0)
        #expect(json.stderr.isEmpty)
        let devices = try Parsed.array(json.stdout)
        #expect(devices.count == 83)
        for device in devices {
            let members = try #require(device.objectValue)
            #expect(
                Self.deviceKeys.isSubset(of: Set(members.keys)), "missing \(Self.deviceKeys.subtracting(members.keys))")
            #expect(members["ids"]?.arrayValue?.isEmpty == false)
            if let failure = members["failure"]?.objectValue {
                #expect(Set(failure.keys) == ["step", "reason"])
            } else {
                #expect(members["failure"] == .null)
            }
        }
        let firstSeen = devices.compactMap { $0["first_seen"]?.stringValue }
        #expect(firstSeen == firstSeen.sorted(by: >), "newest first")
        let enrollments = devices.compactMap { $0["enrollment"]?.stringValue }

        let ndjson = try samples.run(["devices", "--format", "ndjson"] + asOf)
        #expect(ndjson.status == 0)
        #expect(try Parsed.lines(ndjson.stdout) == devices)

        let csv = try samples.run(["devices", "--format", "csv"] + asOf)
        #expect(csv.status == 0)
        let table = try Parsed.csv(csv.stdout)
        #expect(Set(table.header).isSuperset(of: ["enrollment", "user", "state", "step", "failure_reason", "stalled"]))
        #expect(table.rows.map { $0["enrollment"] ?? "" } == enrollments)
        #expect(table.rows.map { $0["state"] ?? "" } == devices.compactMap { $0["state"]?.stringValue })

        let text = try samples.run(["devices"] + asOf)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 84, "a header and a line per enrollment")
        #expect(lines.first?.hasPrefix("ENROLLMENT") == true)
        for (line, enrollment) in zip(lines.dropFirst(), enrollments) {
            #expect(line.hasPrefix(enrollment + " "))
        }
    }

    @Test func devicesFiltersByStallUserStateTimeAndLimit() throws {
        let stalled = try Parsed.array(
            samples.run(["devices", "--stalled-for", "30m", "--format", "json"] + asOf).stdout)
        #expect(!stalled.isEmpty)
        for device in stalled {
            #expect(device["state"] == .string("in_progress"))
            #expect(device["stalled"] == .bool(true))
        }
        #expect(stalled.contains { $0["user"] == .string("tom.rossi@fabrikam.com") })

        // As of a minute after tom.rossi's last step, his enrollment has not stalled for 30 minutes yet.
        let early = try Parsed.array(
            samples.run([
                "devices", "--stalled-for", "30m", "--user", "TOM.ROSSI@fabrikam.com", "--as-of",
                "2026-10-05T22:55:42Z", "--format", "json",
            ]).stdout)
        #expect(early.isEmpty)

        let failed = try Parsed.array(
            samples.run(["devices", "--state", "failed", "--limit", "3", "--format", "json"] + asOf).stdout)
        #expect(failed.count == 3)
        #expect(failed.allSatisfy { $0["state"] == .string("failed") && $0["failure"]?.objectValue != nil })

        let user = try Parsed.array(
            samples.run(["devices", "--user", "Maya.Silva@Contoso.com", "--format", "json"] + asOf).stdout)
        #expect(user.count == 2)

        let window = try Parsed.array(
            samples.run([
                "devices", "--since", "2026-10-10", "--until", "2026-10-12T00:00:00Z", "--format", "json",
            ]).stdout)
        #expect(!window.isEmpty)
        for device in window {
            let firstSeen = try #require(device["first_seen"]?.stringValue)
            #expect(firstSeen >= "2026-10-10" && firstSeen < "2026-10-12")
        }
    }

    @Test func showAcceptsAnyIdOfAnEnrollmentAndAUPNForAllOfTheUsers() throws {
        let user = try Parsed.array(samples.run(["show", "maya.silva@contoso.com", "--format", "json"] + asOf).stdout)
        #expect(user.compactMap { $0["enrollment"]?.stringValue } == ["UE-51a51108709f", "UE-bc4276ffca80"])
        #expect(user.compactMap { $0["state"]?.stringValue } == ["unenrolled", "enrolled"])

        let enrolled = try Parsed.array(samples.run(["show", "eva.silva@contoso.com", "--format", "json"]).stdout)
        #expect(enrolled.count == 1)
        let ids = try #require(enrolled.first?["ids"]?.arrayValue).compactMap(\.stringValue)
        #expect(ids.count >= 3)
        for id in ids {
            let shown = try samples.run(["show", id, "--format", "ndjson"])
            #expect(shown.status == 0, "\(id): \(shown.stderr)")
            #expect(try Parsed.lines(shown.stdout).map { $0["enrollment"] } == [.string("UE-0eabbd433ea5")], "\(id)")
        }

        let csv = try Parsed.csv(samples.run(["show", "maya.silva@contoso.com", "--format", "csv"]).stdout)
        #expect(csv.rows.map { $0["enrollment"] ?? "" } == ["UE-51a51108709f", "UE-bc4276ffca80"])
        let table = try samples.run(["show", "maya.silva@contoso.com"])
        #expect(table.stdout.split(separator: "\n").count == 3)
    }

    @Test func timelineOfAUserMergesTheirEnrollmentsInTimeOrder() throws {
        let result = try samples.run(["timeline", "maya.silva@contoso.com", "--format", "json"] + asOf)
        #expect(result.status == 0)
        let document = try Parsed.object(result.stdout)
        #expect(document["subject"] == .string("maya.silva@contoso.com"))
        let enrollments = try #require(document["enrollments"]?.arrayValue)
        #expect(enrollments.compactMap { $0["enrollment"]?.stringValue } == ["UE-51a51108709f", "UE-bc4276ffca80"])
        let entries = try #require(document["entries"]?.arrayValue)
        #expect(entries.count == enrollments.compactMap { $0["events"]?.intValue }.reduce(0, +))
        let keys: Set<String> = [
            "enrollment", "position", "event_id", "stream", "type", "occurred_at", "recorded_at", "label", "outcome",
            "gap_s", "hint",
        ]
        for entry in entries {
            let members = try #require(entry.objectValue)
            #expect(keys.isSubset(of: Set(members.keys)), "missing \(keys.subtracting(members.keys))")
        }
        let times = entries.compactMap { $0["occurred_at"]?.stringValue }
        #expect(times == times.sorted())
        #expect(Set(entries.compactMap { $0["enrollment"]?.stringValue }) == ["UE-51a51108709f", "UE-bc4276ffca80"])

        let ndjson = try samples.run(["timeline", "maya.silva@contoso.com", "--format", "ndjson"] + asOf)
        #expect(try Parsed.lines(ndjson.stdout) == entries)
        let csv = try Parsed.csv(samples.run(["timeline", "maya.silva@contoso.com", "--format", "csv"] + asOf).stdout)
        #expect(csv.rows.map { $0["event_id"] ?? "" } == entries.compactMap { $0["event_id"]?.stringValue })
        #expect(csv.rows.map { $0["type"] ?? "" } == entries.compactMap { $0["type"]?.stringValue })
    }

    @Test func theTimelineTextReadsLikeASupportNote() throws {
        let result = try samples.run(["timeline", "UE-b12e67531613"] + asOf)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let text = result.stdout
        #expect(text.hasPrefix("Timeline of UE-b12e67531613: 1 enrollment\n"))
        #expect(text.contains("Enrollment UE-b12e67531613 (tom.rossi@fabrikam.com)"))
        #expect(
            text.contains(
                "in_progress, stalled 101d1h (no step since 2026-10-05T22:54:42.267Z); last problem "
                    + "work_app.sign_in_blocked: authenticator_missing; furthest step jit_registration"), "\(text)")
        #expect(text.contains("Registered with Entra ID (just-in-time)"))
        #expect(text.contains("FAILED  Work app could not sign in"))
        #expect(text.contains("hint: A work app could not sign in: Microsoft Authenticator is not installed."))
        #expect(text.contains("fix:  Assign Microsoft Authenticator"))
        #expect(!result.hasEscapes)
    }
}
