import EnrollmentDomain
import Foundation

/// A seeded, deterministic simulator of a fleet walking through account-driven User Enrollment.
///
/// It writes what the real sources would: native events (the enrollment service, Intune, the SSO
/// extension), NanoMDM webhook lines for the MDM check-ins, and the Graph objects Intune and Entra ID
/// export (sign-ins, managed devices, install statuses, audit events). The same seed always gives the same
/// fleet, so tests, benchmarks and `demo` can rely on it.
///
/// ```swift
/// var simulator = FleetSimulator(seed: 7, users: 1_000)
/// simulator.forEachAttempt { attempt in for event in attempt.events { … } }
/// ```
public struct FleetSimulator {
    /// One simulated enrollment attempt.
    public struct Attempt {
        /// The attempt's stream id (`UE-…`).
        public var stream: String
        public var user: String
        public var scenario: Scenario
        /// The native events, in occurred_at order.
        public var events: [NewEvent]
        /// NanoMDM webhook lines for the attempt's MDM check-ins (empty when it never reached MDM).
        public var webhookLines: [String]
        /// What Intune and Entra ID export about the attempt: Graph `signIn`, `managedDevice`,
        /// `mobileAppInstallStatus` and `auditEvent` objects, one compact JSON object per line.
        public var intuneLines: [String]
    }

    public let seed: UInt64
    public let users: Int
    /// When the first attempt starts. The default is 2026-10-01T00:00:00Z.
    public var start = Timestamp(milliseconds: 1_790_812_800_000)
    /// Over how long attempts start. The default is 30 days.
    public var spreadMilliseconds: Int64 = 30 * 86_400_000
    /// The share of users who enroll a second device (or again) later, in percent. The default is 10.
    public var reenrollPercent = 10
    static let tenants = [
        ("contoso.com", "3c1f6e0a-8d2b-4b8e-9a57-5f0e2d4c9b11"),
        ("fabrikam.com", "7d2e9b14-3a6c-4f1d-b8e2-1c9a0f5d6e73"),
    ]
    static let givenNames = [
        "eva", "omar", "raj", "ana", "noa", "tom", "ivan", "sam", "maya", "zoe", "lea", "kai", "ines",
    ]
    static let familyNames = ["silva", "rossi", "tanaka", "chen", "kowalski", "haddad", "garcia", "diallo", "novak"]

    public init(seed: UInt64, users: Int) {
        self.seed = seed
        self.users = users
    }

    /// Calls `body` with every attempt, user by user, in a deterministic order. Memory stays constant.
    public func forEachAttempt(_ body: (Attempt) throws -> Void) rethrows {
        var random = SeededRandom(seed: seed)
        for index in 0..<users {
            let (domain, tenant) = Self.tenants[index % Self.tenants.count]
            let given = Self.givenNames[index % Self.givenNames.count]
            let family = Self.familyNames[(index / Self.givenNames.count) % Self.familyNames.count]
            let upn = "\(given).\(family)\(index)@\(domain)"
            let aadUserID = random.uuid()
            let attempts = Int.random(in: 0..<100, using: &random) < reenrollPercent ? 2 : 1
            var startAt = start.milliseconds + Int64.random(in: 0..<spreadMilliseconds, using: &random)
            for _ in 0..<attempts {
                var builder = AttemptBuilder(
                    random: random, user: upn, aadUserID: aadUserID, domain: domain, tenant: tenant,
                    start: startAt, scenario: Scenario.random(using: &random))
                let attempt = builder.build()
                random = builder.random
                try body(attempt)
                startAt += Int64.random(in: 7...40, using: &random) * 86_400_000
            }
        }
    }

    /// All native events as NDJSON lines, attempt by attempt (each attempt's lines in occurred_at order).
    public func forEachNativeLine(_ body: ([UInt8]) throws -> Void) rethrows {
        try forEachAttempt { attempt in
            for event in attempt.events {
                var line = event.jsonValue.canonicalBytes
                line.append(0x0A)
                try body(line)
            }
        }
    }
}
