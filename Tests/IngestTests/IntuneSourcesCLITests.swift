import EnrollmentDomain
import FleetSimulator
import Foundation
import TestSupport
import Testing

/// The Intune-side sources a support team has, as Graph exports them (`Tests/Fixtures/real-world/`,
/// written from the Graph resources `signIn`, `managedDevice`, `auditEvent` and `mobileAppInstallStatus`),
/// through `enroll-audit ingest` and the queries.
struct IntuneSourcesCLITests: FixtureStoreTests {
    let directory = TemporaryDirectory()
    var store: String { directory.path("intune.sqlite") }
    static let ivyDevice = "b7a6c5d4-e3f2-4a1b-9c8d-7e6f5a4b3c2d"
    static let ivyEntraDevice = "d4c3b2a1-f0e9-4d8c-b7a6-958473625140"
    static let leoDevice = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
    static let quinnFailure = "c0ffee00-1111-4222-8333-444455556666"

    @Test func signInsBecomeSignInEventsWithTheirAADSTSCodeAndHint() throws {
        try ingest(["entra-signins.json"])
        let entries = try timeline("ivy.chen@contoso.com")
        let failed = try #require(entries.first { $0["type"] == .string("account.sign_in_failed") })
        #expect(failed["label"] == .string("Work-account sign-in failed: AADSTS50076"))
        #expect(failed["source"] == .string("entra-signin"))
        #expect(failed["hint"]?["id"] == .string("sign_in_mfa_required"))
        #expect(entries.contains { $0["type"] == .string("account.signed_in") && $0["outcome"] == .string("ok") })
        let rosa = try timeline("rosa.lind@contoso.com")
        #expect(rosa.first?["hint"]?["id"] == .string("sign_in_conditional_access_blocked"))
        let devices = try devices()
        let blocked = try #require(devices["f1e2d3c4-0002-4000-8000-0000000000a2"])
        #expect(blocked["failure"]?["step"] == .string("account_sign_in"))
        #expect(blocked["failure"]?["reason"] == .string("AADSTS53003"))
        #expect(blocked["user"] == .string("rosa.lind@contoso.com"))
    }

    @Test func signInsLinkEntraUserIDsToUPNsSoGraphOnlyEnrollmentsAreFoundByUPN() throws {
        try ingest(["graph-pages-per-line.ndjson"])
        #expect(try devices()[Self.quinnFailure]?["user"] == .null)
        let before = try CommandLineTool.run(["show", "--store", store, "quinn.adams@contoso.com"])
        #expect(before.status == 3)
        try ingest(["entra-signins.json"])
        #expect(try devices()[Self.quinnFailure]?["user"] == .string("quinn.adams@contoso.com"))
        let after = try CommandLineTool.run(["show", "--store", store, "--format", "json", "quinn.adams@contoso.com"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains(Self.quinnFailure))
    }

    @Test func managedDeviceSnapshotsAreInventoryFactsThatLinkTheDevicesIds() throws {
        let first = try ingest(["intune-managed-devices-1.json"])
        #expect(first["sources"]?["graph"]?["appended"] == .int(4))
        #expect(first["sources"]?["graph"]?["skipped_by_reason"]?["not a User Enrollment device"]?["count"] == .int(1))
        let second = try ingest(["intune-managed-devices-2.json", "intune-managed-devices-1.json"])
        #expect(second["appended"] == .int(1), "only the newer sync is new")
        let devices = try devices()
        let ivy = try #require(devices[Self.ivyDevice])
        #expect(ivy["user"] == .string("ivy.chen@contoso.com"))
        #expect(ivy["step"] == .string("profile_installed"))
        #expect(ivy["first_seen"] == .string("2026-10-09T12:03:00.000Z"))
        #expect(ivy["last_seen"] == .string("2026-10-10T09:45:00.000Z"))
        #expect(ivy["ids"]?.elements?.contains(.string(Self.ivyEntraDevice)) == true)
        #expect(ivy["entra_user_id"] == .string("3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"))
        // Leo's device is missing from the later snapshot: that alone is not an unenrollment.
        let leo = try #require(devices[Self.leoDevice])
        #expect(leo["state"] == .string("in_progress"))
        #expect(leo["last_seen"] == .string("2026-10-08T22:10:00.000Z"))
        #expect(devices.count == 2)
        let byEntraID = try CommandLineTool.run(["show", "--store", store, Self.ivyEntraDevice])
        #expect(byEntraID.status == 0)
        #expect(byEntraID.stdout.contains(Self.ivyDevice))
    }

    @Test func authenticatorInstallStatusesAndAnAdminRetireCompleteTheDevicesStory() throws {
        try ingest(["intune-managed-devices-1.json", "intune-authenticator-statuses.json"])
        let statuses = try timeline(Self.ivyDevice)
        let failed = try #require(statuses.first { $0["type"] == .string("authenticator.install_failed") })
        #expect(failed["hint"]?["id"] == .string("authenticator_install_declined"))
        #expect(failed["label"]?.stringValue?.contains("userRejectedInstall 0x87D13C38") == true)
        #expect(try devices()[Self.ivyDevice]?["state"] == .string("enrolled"))

        let audit = try ingest(["intune-audit-events.json"])
        #expect(audit["sources"]?["graph"]?["skipped_by_reason"]?["not about a managed device"]?["count"] == .int(1))
        let device = try #require(try devices()[Self.ivyDevice])
        #expect(device["state"] == .string("unenrolled"))
        let entries = try timeline(Self.ivyDevice)
        let retire = try #require(entries.first { $0["type"] == .string("device.unenrolled") })
        #expect(retire["label"] == .string("Device unenrolled (by admin: admin@contoso.com)"))
        #expect(retire["hint"]?["id"] == .string("unenrolled_by_admin"))
        #expect(
            entries.contains {
                $0["label"] == .string("Intune admin action: Sync device (helpdesk@contoso.com, Success)")
            })
    }

    @Test(arguments: [
        (
            #"{"value":[{"userPrincipalName":"a@b.c","status":{"errorCode":0}}]}"#,
            "value[0].createdDateTime is required"
        ),
        (
            #"{"value":[{"createdDateTime":"2026-10-09T12:00:05Z","userPrincipalName":"a@b.c","id":"x","status":{}}]}"#,
            "value[0].status.errorCode is required"
        ),
        (
            #"{"value":[{"deviceEnrollmentType":"appleUserEnrollment","lastSyncDateTime":"2026-10-09T12:00:05Z","enrolledDateTime":"2026-10-09T12:00:05Z"}]}"#,
            "value[0].id is required (the Intune device id)"
        ),
        (
            #"{"value":[{"activityType":"retire ManagedDevice","activityDateTime":"2026-10-09T12:00:05Z","resources":{}}]}"#,
            "value[0].resources must be an array, not object"
        ),
        (
            #"{"value":[{"installState":"failed","deviceId":"","lastSyncDateTime":"2026-10-09T12:00:05Z"}]}"#,
            "value[0].deviceId is required (the Intune device id)"
        ),
    ])
    func badIntuneRecordsAreRefusedNamingTheField(text: String, reason: String) throws {
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--from", "graph", "-"], stdin: Data((text + "\n").utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("-:1: \(reason)"), "\(result.stderr)")
    }

    @Test func theDemoFleetsIntuneSourcesJoinTheAttemptsTheyDescribe() throws {
        var attempts: [FleetSimulator.Attempt] = []
        FleetSimulator(seed: 7, users: 40).forEachAttempt { attempts.append($0) }
        let result = try CommandLineTool.run(["demo", "--store", store, "--users", "40", "--replace"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("graph: "))
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        #expect(export.stdout.contains(#""source":"entra-signin""#))
        #expect(export.stdout.contains(#""type":"intune.device_enrolled""#))
        // Sign-ins join the attempt's own sign-in, managed devices its Intune device id: no new enrollments.
        #expect(try devices().count == attempts.count)
        let retired = try #require(attempts.first { $0.scenario == .unenrolledLater })
        let entries = try timeline(retired.stream)
        #expect(
            entries.contains { $0["label"]?.stringValue?.hasPrefix("Device unenrolled (by admin: helpdesk@") == true })
        #expect(entries.contains { $0["source"] == .string("entra-signin") })
        #expect(entries.contains { $0["type"] == .string("intune.device_synced") })
    }

    @Test func aPowerShellBareArrayOfManagedDevicesIsToldByItsMembers() throws {
        // `Get-MgDeviceManagementManagedDevice | ConvertTo-Json`: a bare array, no @odata members.
        let page = try JSONParser.parse(
            try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("real-world/intune-managed-devices-1.json"))))
        let devices = try #require(page["value"])
        let path = directory.path("devices.json")
        try Data(devices.prettyString.utf8).write(to: URL(fileURLWithPath: path))
        let result = try CommandLineTool.run(["ingest", "--store", store, "--format", "json", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONParser.parse(result.stdout)["sources"]?["graph"]?["appended"] == .int(4))
    }
}
