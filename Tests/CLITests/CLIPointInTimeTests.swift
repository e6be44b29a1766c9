import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// One definition of stalled, shown the same way everywhere, and `--as-of` as a true point in time.
struct CLIPointInTimeTests {
    let samples: SampleStoreFile

    init() throws {
        samples = try SampleStoreFile()
    }

    /// tom.rossi's enrollment: last step (jit.registered) 22:54:42.267, then a work app blocked at 23:12:27.
    static let tom = "UE-b12e67531613"

    @Test func aStalledEnrollmentSaysForHowLongAndWhy() throws {
        let asOf = "2026-10-06T00:54:42.267Z"
        let table = try samples.run(["devices", "--stalled-for", "2h", "--as-of", asOf])
        let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix(Self.tom) })
        #expect(row.contains("in_progress (stalled 2h00m)"), "\(row)")
        #expect(row.contains("work_app.sign_in_blocked: authenticator_missing"), "\(row)")
        let json = try Parsed.array(samples.run(["show", Self.tom, "--format", "json", "--as-of", asOf]).stdout)
        let tom = try #require(json.first?.objectValue)
        #expect(tom["stalled"] == .bool(true))
        #expect(tom["stalled_for_s"]?.doubleValue == 7_200)
        #expect(tom["last_problem"]?.objectValue?["type"] == .string("work_app.sign_in_blocked"))
        let text = try samples.run(["timeline", Self.tom, "--as-of", asOf]).stdout
        #expect(text.contains("in_progress, stalled 2h00m (no step since 2026-10-05T22:54:42.267Z)"), "\(text)")
        #expect(text.contains("last problem work_app.sign_in_blocked: authenticator_missing"))
    }

    @Test(arguments: ["30m", "2h", "10h"])
    func stalledForListsExactlyTheEnrollmentsMarkedStalled(_ threshold: String) throws {
        let listed = try Parsed.array(
            samples.run(["devices", "--stalled-for", threshold, "--format", "json", "--as-of", SampleStoreFile.asOf])
                .stdout)
        #expect(!listed.isEmpty)
        for device in listed {
            #expect(device.objectValue?["stalled"] == .bool(true), "\(device)")
        }
        let table = try samples.run(["devices", "--stalled-for", threshold, "--as-of", SampleStoreFile.asOf]).stdout
        let rows = table.split(separator: "\n").dropFirst()
        #expect(rows.count == listed.count)
        #expect(rows.allSatisfy { $0.contains("(stalled ") })
    }

    @Test func asOfShowsOnlyWhatExistedThen() throws {
        let asOf = "2026-10-05T22:52:40Z"
        let now = try Parsed.array(samples.run(["devices", "--format", "json"]).stdout)
        let then = try Parsed.array(samples.run(["devices", "--format", "json", "--as-of", asOf]).stdout)
        #expect(then.count < now.count)
        for device in then {
            let firstSeen = try #require(device.objectValue?["first_seen"]?.stringValue)
            #expect(firstSeen <= "2026-10-05T22:52:40.000Z", "\(firstSeen) is after the point in time")
        }
        let tom = try #require(then.first { $0.objectValue?["enrollment"] == .string(Self.tom) }?.objectValue)
        #expect(tom["state"] == .string("in_progress"))
        #expect(tom["step"] == .string("remote_management"), "the profile was installed at 22:52:53, after")
        #expect(tom["events"] == .int(5))
        let later = try samples.run(["show", Self.tom, "--as-of", "2026-10-01T00:00:00Z"])
        #expect(later.status == 3, "it did not exist yet")
        let timeline = try samples.run(["timeline", Self.tom, "--format", "ndjson", "--as-of", asOf])
        let entries = try Parsed.lines(timeline.stdout)
        #expect(entries.count == 5)
        #expect(
            entries.allSatisfy { ($0.objectValue?["occurred_at"]?.stringValue ?? "~") <= "2026-10-05T22:52:40.000Z" })
    }

    @Test func asOfFiltersStateOnTheStateThen() throws {
        // Every enrollment failed now; as of its first event, none of them had failed yet unless the first
        // event was the failure.
        let failedNow = try Parsed.array(samples.run(["devices", "--state", "failed", "--format", "json"]).stdout)
        #expect(!failedNow.isEmpty)
        let first = try #require(failedNow.last?.objectValue)
        let firstSeen = try #require(first["first_seen"]?.stringValue)
        let then = try Parsed.array(
            samples.run(["devices", "--state", "failed", "--format", "json", "--as-of", firstSeen]).stdout)
        for device in then {
            #expect(device.objectValue?["state"] == .string("failed"))
            #expect((device.objectValue?["first_seen"]?.stringValue ?? "~") <= firstSeen)
        }
    }
}
