import EnrollmentDomain
import Testing

@testable import Projections

/// The knowledge base maps each failure reason and suspicious value to its hint.
struct HintRulesTests {
    static let cases: [(type: String, data: [String: JSONValue], hint: String?)] = [
        ("discovery.failed", ["reason": "not_found", "http_status": 404], "discovery_not_found"),
        ("discovery.failed", ["reason": "other", "http_status": 404], "discovery_not_found"),
        (
            "discovery.failed", ["reason": "wrong_content_type", "content_type": "text/plain"],
            "discovery_wrong_content_type"
        ),
        ("discovery.failed", ["reason": "tenant_placeholder"], "discovery_tenant_placeholder"),
        ("discovery.failed", ["reason": "tenant_id_placeholder"], "discovery_tenant_placeholder"),
        (
            "discovery.succeeded",
            [
                "base_url":
                    "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=*aadTenantID*"
            ],
            "discovery_tenant_placeholder"
        ),
        ("discovery.failed", ["reason": "wrong_version"], "discovery_wrong_version"),
        ("discovery.succeeded", ["server_version": "mdm-adde"], "discovery_wrong_version"),
        ("discovery.succeeded", ["server_version": "mdm-byod"], nil),
        ("discovery.failed", ["reason": "invalid_json"], "discovery_invalid_json"),
        ("discovery.failed", ["reason": "well_known_failed", "http_status": 403], "discovery_well_known_failed"),
        ("discovery.failed", ["reason": "something new"], "discovery_failed"),
        ("account.sign_in_failed", ["reason": "enrollment_sso_app_preinstalled"], "sso_app_preinstalled"),
        (
            "account.sign_in_failed",
            ["reason": "x", "message": "The Enrollment SSO application has been installed on the device"],
            "sso_app_preinstalled"
        ),
        ("account.sign_in_failed", ["reason": "bad_password"], "account_sign_in_failed"),
        ("remote_management.declined", [:], "remote_management_declined"),
        ("enrollment.failed", ["reason": "DeviceCapReached"], "device_cap_reached"),
        ("enrollment.failed", ["reason": "Profile installation failed"], "profile_install_failed"),
        ("enrollment.failed", ["reason": "Unknown"], "enrollment_failed"),
        ("profile.install_failed", ["error_code": "ProfileInstallationFailed"], "profile_install_failed"),
        ("jit.failed", ["reason": "device_registration key has trailing spaces"], "jit_trailing_spaces"),
        ("jit.failed", ["reason": "device_registration value has trailing spaces"], "jit_trailing_spaces"),
        ("jit.failed", ["reason": "timeout"], "jit_failed"),
        ("authenticator.install_failed", ["reason": "no licence"], "authenticator_install_failed"),
        ("work_app.sign_in_blocked", ["reason": "authenticator_missing"], "authenticator_missing"),
        ("enrollment.fell_back", ["os_version": "14.8.1"], "company_portal_fallback"),
        ("device.unenrolled", ["by": "checkout"], "unenrolled"),
        ("app.installed", ["bundle_id": "com.microsoft.Office.Outlook"], nil),
    ]

    @Test(arguments: cases.indices)
    func eachReasonHasItsHint(index: Int) {
        let example = Self.cases[index]
        #expect(HintRules.hint(type: example.type, data: example.data)?.id == example.hint)
    }

    @Test func everyHintSaysWhatToDo() {
        let hints = HintRules.rules.map(\.hint) + HintRules.patternHints.values
        for hint in hints {
            #expect(!hint.cause.isEmpty && !hint.fix.isEmpty, "\(hint.id)")
        }
        #expect(Set(hints.map(\.id)).count == hints.count)
    }
}
