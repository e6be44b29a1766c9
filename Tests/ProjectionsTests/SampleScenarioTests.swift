import EnrollmentDomain
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// Each scenario of Tests/Fixtures/README.md lands in the expected state (all four sources ingested).
struct SampleScenarioTests {
    func only(_ user: String) throws -> DeviceStatus {
        let found = try SampleStore.enrollments(of: user)
        try #require(found.count == 1, "\(user) has \(found.count) enrollments")
        return found[0]
    }

    func hints(_ id: String) throws -> [String] {
        try SampleStore.queries.timeline(for: id, asOf: SampleStore.asOf).compactMap(\.hint?.id)
    }

    @Test func anEnrolledDeviceJoinsAllFourSources() throws {
        let status = try only("eva.silva@contoso.com")
        #expect(status.state == .enrolled)
        #expect(status.step == .authenticatorInstalled)
        #expect(status.enrollment == "UE-0eabbd433ea5")
        #expect(status.ids.contains(.init(kind: .enrollmentID, value: "2c0e049891ff140fd173c09007c8b06d6e14813c")))
        #expect(status.ids.contains(.init(kind: .stream, value: "web:eva.silva@contoso.com@2026-10-01T19:06:12Z")))
        #expect(status.ids.contains { $0.kind == .intuneDeviceID })
        #expect(status.model == "iPad14,1")
        #expect(status.osVersion == "18.1")
        #expect(status.entraUserID == "2ee81b1a-125b-4747-b6ef-a1d08852a706")
        #expect((status.timeToEnrollSeconds ?? 0) > 60)
        for id in status.ids.map(\.value) {
            #expect(try SampleStore.queries.enrollments(matching: id).map(\.enrollment) == [status.enrollment])
        }
    }

    @Test func aFailedProfileInstallFollowedByASuccessEndsEnrolled() throws {
        for user in ["ivan.silva@contoso.com", "noa.garcia@contoso.com"] {
            let status = try only(user)
            #expect(status.state == .enrolled, "\(user)")
            #expect(status.failure == nil)
        }
    }

    @Test func declinedRemoteManagement() throws {
        for user in [
            "noa.olsen@contoso.com", "sam.rossi@contoso.com", "sara.rossi@contoso.com", "eva.tanaka@contoso.com",
        ] {
            let status = try only(user)
            #expect(status.state == .declined, "\(user)")
            #expect(status.step == .appleIDSignIn)
        }
        #expect(try hints("noa.olsen@contoso.com").contains("remote_management_declined"))
    }

    @Test func discovery404JoinsTheAccessLogAndExplainsItself() throws {
        for user in ["eva.smith@fabrikam.com", "eva.haddad@fabrikam.com"] {
            let status = try only(user)
            #expect(status.state == .failed)
            #expect(status.failure == EnrollmentFailure(step: .discovery, reason: "not_found"))
            #expect(status.ids.filter { $0.kind == .stream }.count == 2)
            #expect(try hints(user) == ["discovery_not_found", "discovery_not_found"])
        }
    }

    @Test func discoveryWithTheWrongContentType() throws {
        for user in ["omar.rossi@contoso.com", "lea.garcia@contoso.com", "ana.silva@fabrikam.com"] {
            let status = try only(user)
            #expect(status.failure == EnrollmentFailure(step: .discovery, reason: "wrong_content_type"))
            #expect(try hints(user).contains("discovery_wrong_content_type"))
        }
    }

    @Test func discoveryWithTheTenantIDPlaceholder() throws {
        let status = try only("lea.rossi@fabrikam.com")
        #expect(status.state == .failed)
        #expect(status.failure?.step == .discovery)
        #expect(try hints("lea.rossi@fabrikam.com").contains("discovery_tenant_placeholder"))
    }

    @Test func profileInstallFailedAndGraphReportsItSeparately() throws {
        let found = try SampleStore.enrollments(of: "raj.diallo@fabrikam.com")
        // The enrollment service's attempt, and Intune's report 4 s later (not the same second: not joined).
        #expect(found.count == 2)
        let native = try #require(found.first { $0.enrollment == "UE-848b87603685" })
        #expect(native.state == .failed)
        #expect(native.failure == EnrollmentFailure(step: .profileInstalled, reason: "ProfileInstallationFailed"))
        let graph = try #require(found.first { $0.enrollment != "UE-848b87603685" })
        #expect(graph.user == "raj.diallo@fabrikam.com")
        #expect(graph.failure == EnrollmentFailure(step: .profileInstalled, reason: "Profile installation failed"))
        #expect(try hints("UE-848b87603685").contains("profile_install_failed"))
    }

    @Test func jitRegistrationFailed() throws {
        for user in ["ivan.chen@contoso.com", "ken.diallo@fabrikam.com", "sam.haddad@contoso.com"] {
            let status = try only(user)
            #expect(status.state == .failed)
            #expect(status.failure?.step == .jitRegistration)
            #expect(try hints(user).contains("jit_trailing_spaces"))
        }
    }

    @Test func authenticatorNeverInstalledIsInProgressAndStalled() throws {
        let users = [
            "joe.haddad@contoso.com", "maya.olsen@contoso.com", "omar.silva@fabrikam.com",
            "sam.garcia@fabrikam.com", "tom.rossi@fabrikam.com",
        ]
        for user in users {
            let status = try only(user)
            #expect(status.state == .inProgress, "\(user)")
            #expect(status.step == .jitRegistration)
            #expect(status.stalled)
            #expect(try hints(user).contains("authenticator_missing"))
        }
        let stalled = try SampleStore.queries.devices(
            DeviceFilter(state: .inProgress, stalledFor: 3600, asOf: SampleStore.asOf))
        #expect(Set(users).isSubset(of: Set(stalled.compactMap(\.user))))
        let early = Timestamp(milliseconds: try only("joe.haddad@contoso.com").lastStepAt.milliseconds + 60_000)
        #expect(try !SampleStore.queries.enrollments(matching: "joe.haddad@contoso.com", asOf: early)[0].stalled)
    }

    @Test func authenticatorInstalledBeforeEnrollment() throws {
        let status = try only("maya.haddad@contoso.com")
        #expect(status.state == .failed)
        #expect(status.failure == EnrollmentFailure(step: .accountSignIn, reason: "enrollment_sso_app_preinstalled"))
        #expect(try hints("maya.haddad@contoso.com").contains("sso_app_preinstalled"))
    }

    @Test func iOS14FallsBackToCompanyPortal() throws {
        for user in [
            "eva.garcia@contoso.com", "li.tanaka@contoso.com", "raj.chen@fabrikam.com", "zoe.silva@fabrikam.com",
        ] {
            let status = try only(user)
            #expect(status.state == .fallback)
            #expect(status.osVersion == "14.8.1")
        }
    }

    @Test func deviceCapReachedJoinsIntunesReport() throws {
        let status = try only("omar.chen@fabrikam.com")
        #expect(status.state == .failed)
        #expect(status.failure?.reason == "DeviceCapReached")
        #expect(status.ids.contains(.init(kind: .stream, value: "7585bef3-9ce4-4465-9760-4bbdc2cb1a0b")))
        #expect(try hints("omar.chen@fabrikam.com").contains("device_cap_reached"))
    }

    @Test func checkOutUnenrollsTheAttemptsEnrollment() throws {
        let status = try only("sara.garcia@contoso.com")
        #expect(status.state == .unenrolled)
        #expect(try SampleStore.queries.enrollments(matching: "UE-c3f0f98964c1").map(\.state) == [.unenrolled])
        #expect(
            try SampleStore.queries.enrollments(matching: "ce047f39d6a377f35fbdcd0c4d419cd368fd83a4").map(\.enrollment)
                == ["UE-c3f0f98964c1"])
        for user in ["maya.rossi@fabrikam.com", "ivan.diallo@contoso.com"] {
            #expect(try only(user).state == .unenrolled)
        }
    }

    @Test func abandonedAfterTheAppleIDSignIn() throws {
        for user in ["eva.kowalski@contoso.com", "maya.diallo@fabrikam.com"] {
            let status = try only(user)
            #expect(status.state == .inProgress)
            #expect(status.step == .appleIDSignIn)
            #expect(status.stalled)
        }
    }

    @Test func enrollingAgainWeeksLaterMakesASecondEnrollment() throws {
        let found = try SampleStore.enrollments(of: "maya.silva@contoso.com")
        #expect(found.map(\.enrollment) == ["UE-51a51108709f", "UE-bc4276ffca80"])
        #expect(found.map(\.state) == [.unenrolled, .enrolled])
    }
}
