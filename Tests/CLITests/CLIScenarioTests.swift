import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Each scenario of the samples (docs/projections.md) through `show`, `timeline` and the per-user `export`,
/// as support meets it, on a SQLite file and on a `postgres://` database (``StoreBackend``): one code path.
struct CLIScenarioTests {
    struct Scenario: Sendable {
        /// The id support types: a UPN, or any id of the enrollment.
        var id: String
        var user: String
        var state: String
        var stalled = false
        var failure: (step: String, reason: String)?
        /// A hint the timeline must show.
        var hint: String?
    }

    static let scenarios: [Scenario] = [
        Scenario(id: "eva.silva@contoso.com", user: "eva.silva@contoso.com", state: "enrolled"),
        Scenario(
            id: "tom.rossi@fabrikam.com", user: "tom.rossi@fabrikam.com", state: "in_progress", stalled: true,
            hint: "authenticator_missing"),
        Scenario(
            id: "eva.kowalski@contoso.com", user: "eva.kowalski@contoso.com", state: "in_progress", stalled: true),
        Scenario(
            id: "maya.haddad@contoso.com", user: "maya.haddad@contoso.com", state: "failed",
            failure: ("account_sign_in", "enrollment_sso_app_preinstalled"), hint: "sso_app_preinstalled"),
        Scenario(
            id: "omar.chen@fabrikam.com", user: "omar.chen@fabrikam.com", state: "failed",
            failure: ("profile_installed", "DeviceCapReached"), hint: "device_cap_reached"),
        Scenario(
            id: "eva.garcia@contoso.com", user: "eva.garcia@contoso.com", state: "fallback",
            hint: "company_portal_fallback"),
        // The NanoMDM enrollment id of a device that checked out.
        Scenario(
            id: "ce047f39d6a377f35fbdcd0c4d419cd368fd83a4", user: "sara.garcia@contoso.com", state: "unenrolled",
            hint: "unenrolled"),
        Scenario(
            id: "noa.olsen@contoso.com", user: "noa.olsen@contoso.com", state: "declined",
            hint: "remote_management_declined"),
        Scenario(
            id: "eva.smith@fabrikam.com", user: "eva.smith@fabrikam.com", state: "failed",
            failure: ("discovery", "not_found"), hint: "discovery_not_found"),
        Scenario(
            id: "omar.rossi@contoso.com", user: "omar.rossi@contoso.com", state: "failed",
            failure: ("discovery", "wrong_content_type"), hint: "discovery_wrong_content_type"),
        Scenario(
            id: "lea.rossi@fabrikam.com", user: "lea.rossi@fabrikam.com", state: "failed",
            hint: "discovery_tenant_placeholder"),
        Scenario(
            id: "ivan.chen@contoso.com", user: "ivan.chen@contoso.com", state: "failed",
            hint: "jit_trailing_spaces"),
        Scenario(
            id: "UE-848b87603685", user: "raj.diallo@fabrikam.com", state: "failed",
            failure: ("profile_installed", "ProfileInstallationFailed"), hint: "profile_install_failed"),
    ]

    /// One store for every scenario: each is a read of it.
    @Test(arguments: StoreBackend.available)
    func everySampleScenarioShowsItsStateAndHint(on backend: StoreBackend) throws {
        let samples = try SampleStoreFile(backend: backend)
        let asOf = ["--as-of", SampleStoreFile.asOf]
        for scenario in Self.scenarios {
            let show = try samples.run(["show", scenario.id, "--format", "json"] + asOf)
            #expect(show.status == 0, "\(scenario.id): \(show.stderr)")
            let statuses = try Parsed.array(show.stdout)
            try #require(statuses.count == 1, "\(scenario.id) names \(statuses.count) enrollments")
            let status = statuses[0]
            #expect(status["user"] == .string(scenario.user), "\(scenario.id)")
            #expect(status["state"] == .string(scenario.state), "\(scenario.id)")
            #expect(status["stalled"] == .bool(scenario.stalled), "\(scenario.id)")
            if let failure = scenario.failure {
                #expect(
                    status["failure"] == .object(["step": .string(failure.step), "reason": .string(failure.reason)]),
                    "\(scenario.id)")
            }
            if scenario.state != "failed" { #expect(status["failure"] == .null, "\(scenario.id)") }

            let timeline = try samples.run(["timeline", scenario.id, "--format", "json"] + asOf)
            #expect(timeline.status == 0, "\(scenario.id): \(timeline.stderr)")
            let entries = try #require(try Parsed.object(timeline.stdout)["entries"]?.arrayValue)
            let hints = entries.compactMap { $0["hint"]?["id"]?.stringValue }
            if let hint = scenario.hint {
                #expect(hints.contains(hint), "\(scenario.id): hints \(hints)")
            }
            if scenario.state == "enrolled" { #expect(hints.isEmpty, "\(scenario.id): hints \(hints)") }

            // The text a person reads carries the same state and the hint's words.
            let text = try samples.run(["timeline", scenario.id] + asOf).stdout
            #expect(text.contains("(\(scenario.user))  \(scenario.state)"), "\(scenario.id)")
            for entry in entries {
                if let cause = entry["hint"]?["cause"]?.stringValue {
                    #expect(text.contains("hint: \(cause)"), "\(scenario.id)")
                }
            }

            // The evidence handed on: the enrollment's events, exactly those the timeline shows.
            let export = try samples.run(["export", "--id", scenario.id, "--no-proof"])
            #expect(export.status == 0, "\(scenario.id): \(export.stderr)")
            let exported = try Parsed.lines(export.stdout).compactMap { $0["event_id"]?.stringValue }
            let shown = entries.compactMap { $0["event_id"]?.stringValue }
            #expect(Set(exported) == Set(shown), "\(scenario.id)")
            #expect(!exported.isEmpty, "\(scenario.id)")
        }
    }
}
