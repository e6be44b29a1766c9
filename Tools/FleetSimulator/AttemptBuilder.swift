import EnrollmentDomain
import Foundation

/// Builds the events of one attempt, step by step, following its scenario.
struct AttemptBuilder {
    var random: SeededRandom
    let user: String
    let aadUserID: String
    let domain: String
    let tenant: String
    let scenario: Scenario
    private var clock: Int64
    private let stream: String
    private let model: String
    private var events: [NewEvent] = []
    private var webhookLines: [String] = []
    /// When an admin retired the device (the `unenrolled_later` scenario), for Intune's audit log.
    private var retiredAt: Int64?

    init(
        random: SeededRandom, user: String, aadUserID: String, domain: String, tenant: String, start: Int64,
        scenario: Scenario
    ) {
        self.random = random
        self.user = user
        self.aadUserID = aadUserID
        self.domain = domain
        self.tenant = tenant
        self.scenario = scenario
        self.clock = start
        self.stream = "UE-\(self.random.hex(12))"
        self.model = Bool.random(using: &self.random) ? "iPhone" : "iPad"
    }

    mutating func build() -> FleetSimulator.Attempt {
        walk()
        let intuneLines = IntuneGraphObjects.lines(
            events: events, stream: stream, user: user, aadUserID: aadUserID, model: model, retiredAt: retiredAt)
        return FleetSimulator.Attempt(
            stream: stream, user: user, scenario: scenario, events: events, webhookLines: webhookLines,
            intuneLines: intuneLines)
    }

    private mutating func walk() {
        guard discovery() else { return }
        if scenario == .fallback {
            emit("enrollment.fell_back", ["os_version": "14.8.1", "method": "company_portal"], after: 2...5)
            return
        }
        if scenario == .ssoAppPreinstalled {
            emit(
                "account.sign_in_failed",
                [
                    "upn": .string(user), "reason": "enrollment_sso_app_preinstalled",
                    "message": "The Enrollment SSO application has been installed on the device",
                ], after: 20...90)
            return
        }
        emit("account.signed_in", ["upn": .string(user), "aad_user_id": .string(aadUserID), "method": "work_account"])
        if scenario == .deviceCapReached {
            emit(
                "enrollment.failed", ["category": "enrollmentRestrictionsEnforced", "reason": "DeviceCapReached"],
                source: "intune", after: 3...10)
            return
        }
        emit("apple_id.signed_in", ["managed_apple_id": .string(user.replacingOccurrences(of: "@", with: "@appleid."))])
        if scenario == .abandonedAfterAppleID { return }
        if scenario == .declined {
            emit("remote_management.declined", [:], after: 5...40)
            return
        }
        emit("remote_management.allowed", [:], after: 5...40)
        if scenario == .profileFailed || scenario == .enrolledAfterProfileRetry {
            emit(
                "profile.install_failed",
                [
                    "error_code": "ProfileInstallationFailed",
                    "message": "Profile Installation Failed. A Network Error Has Occurred.",
                ])
            if scenario == .profileFailed { return }
            clock += Int64.random(in: 60...3_600, using: &random) * 1000
        }
        let enrollmentID = random.hex(40)
        emit("profile.installed", ["profile_name": "BYOD", "priority": 1, "enrollment_id": .string(enrollmentID)])
        emit(
            "identity.linked",
            ["enrollment_id": .string(enrollmentID), "intune_device_id": .string(random.uuid())], after: 0...0)
        webhook("Authenticate", enrollmentID: enrollmentID)
        webhook("TokenUpdate", enrollmentID: enrollmentID)
        if scenario == .jitFailed {
            emit("jit.failed", ["reason": "device_registration key has trailing spaces"], source: "sso-extension")
            return
        }
        emit("jit.registered", [:], source: "sso-extension", after: 30...180)
        emit("authenticator.install_requested", ["bundle_id": "com.microsoft.azureauthenticator"], source: "intune")
        if scenario == .authenticatorMissing {
            emit(
                "work_app.sign_in_blocked",
                ["bundle_id": "com.microsoft.Office.Outlook", "reason": "authenticator_missing"], source: "intune",
                after: 300...3_000)
            return
        }
        emit(
            "authenticator.installed", ["bundle_id": "com.microsoft.azureauthenticator", "version": "6.8.17"],
            source: "intune", after: 60...600)
        emit("app.installed", ["bundle_id": "com.microsoft.Office.Outlook", "name": "Outlook"], source: "intune")
        emit("app.installed", ["bundle_id": "com.microsoft.skype.teams", "name": "Teams"], source: "intune")
        if scenario == .unenrolledLater {
            clock += Int64.random(in: 2...30, using: &random) * 86_400_000
            retiredAt = clock
            webhook("CheckOut", enrollmentID: enrollmentID)
        }
    }

    /// Service discovery; `false` when it failed and the attempt ends there.
    private mutating func discovery() -> Bool {
        var data: [String: JSONValue] = [
            "domain": .string(domain), "user_identifier": .string(user), "model_family": .string(model),
        ]
        let base = "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId="
        switch scenario {
        case .discoveryNotFound:
            data["http_status"] = 404
            data["reason"] = "not_found"
        case .discoveryWrongContentType:
            data["http_status"] = 200
            data["reason"] = "wrong_content_type"
        case .discoveryTenantPlaceholder:
            data["http_status"] = 200
            data["reason"] = "tenant_id_placeholder"
            data["base_url"] = .string(base + "*aadTenantID*")
        default:
            data["http_status"] = 200
            data["server_version"] = "mdm-byod"
            data["base_url"] = .string(base + tenant)
            emit("discovery.succeeded", data, after: 0...0)
            return true
        }
        emit("discovery.failed", data, after: 0...0)
        return false
    }

    private mutating func emit(
        _ type: String, _ data: [String: JSONValue], source: String = "enrollment-service",
        after seconds: ClosedRange<Int64> = 5...120
    ) {
        clock += Int64.random(in: seconds, using: &random) * 1000 + Int64.random(in: 0..<1000, using: &random)
        let id = UUID(uuidString: random.uuid())!
        events.append(
            NewEvent(
                eventID: id, stream: stream, type: type, occurredAt: Timestamp(milliseconds: clock), source: source,
                user: user, data: data))
    }

    private mutating func webhook(_ messageType: String, enrollmentID: String) {
        clock += Int64.random(in: 1...3, using: &random) * 1000 + Int64.random(in: 0..<1000, using: &random)
        webhookLines.append(
            NanoMDMWebhook.line(
                messageType: messageType, eventID: random.uuid(), at: Timestamp(milliseconds: clock),
                enrollmentID: enrollmentID, attempt: stream, tenant: tenant, pushToken: random.hex(44)))
    }
}
