import EnrollmentDomain
import Foundation
import TestSupport

/// Random enrollments that stress the identity rules: links that arrive late in a stream of their own,
/// MDM streams whose events occur earlier than the attempt's (the canonical id moves), access-log twins,
/// Graph failures that only join once the user's Entra id is known, and equal `occurred_at` ties.
enum SyntheticFleet {
    static func events(seed: UInt64, enrollments: Int = 12) -> [NewEvent] {
        var random = SeededGenerator(seed: seed)
        var events: [NewEvent] = []
        func id() -> UUID { UUID(hexString: random.uuid())! }
        for k in 0..<enrollments {
            let user = "user\(k % 5)@synthetic.test"  // several enrollments per user: never merged by user
            let attempt = "SYN-\(seed)-\(k)"
            let enrollmentID = "E\(seed)x\(k)"
            let aad = "aad-\(k % 5)"
            let base: Int64 =
                1_791_000_000_000 + Int64(k) * 3_600_000 + Int64.random(in: 0..<1000, using: &random) * 1000
            let lateLink = Bool.random(using: &random)
            func add(
                _ type: String, _ offset: Int64, stream: String? = nil, user: String? = user,
                source: String = "synthetic",
                _ data: [String: JSONValue] = [:]
            ) {
                events.append(
                    NewEvent(
                        eventID: id(), stream: stream ?? attempt, type: type,
                        occurredAt: Timestamp(milliseconds: base + offset), source: source, user: user, data: data))
            }
            let domain: [String: JSONValue] = ["domain": "synthetic.test", "user_identifier": .string(user)]
            add("discovery.succeeded", 0, domain.merging(["model_family": "iPhone"]) { $1 })
            add("discovery.succeeded", 0, stream: "web:\(user)@\(base / 1000)", source: "access-log", domain)
            add("account.signed_in", 10_000, ["upn": .string(user), "aad_user_id": .string(aad)])
            // Steps reported out of order: the Apple ID sign-in occurred "before" discovery.
            add("apple_id.signed_in", Bool.random(using: &random) ? 20_000 : -5_000)
            if k % 4 == 3 {
                add("enrollment.failed", 25_100, ["reason": "DeviceCapReached"])
                add(
                    "enrollment.failed", 25_900, stream: "corr-\(seed)-\(k)", user: nil, source: "intune-graph",
                    ["reason": "DeviceCapReached", "aad_user_id": .string(aad)])
                continue
            }
            add("remote_management.allowed", 30_000)
            add("profile.installed", 40_000, lateLink ? [:] : ["enrollment_id": .string(enrollmentID)])
            // The MDM's clock is behind: its first check-in occurs before the attempt's discovery.
            let mdmOffset: Int64 = Bool.random(using: &random) ? 41_000 : -60_000
            var checkIn: [String: JSONValue] = ["enrollment_id": .string(enrollmentID), "product_name": "iPhone15,2"]
            if !lateLink { checkIn["attempt_id"] = .string(attempt) }
            add("mdm.authenticated", mdmOffset, stream: enrollmentID, user: nil, source: "nanomdm", checkIn)
            checkIn["token_update_tally"] = 1
            add("mdm.token_updated", mdmOffset + 1_000, stream: enrollmentID, user: nil, source: "nanomdm", checkIn)
            if lateLink {
                add(
                    "identity.linked", 500_000, stream: "link-\(seed)-\(k)",
                    ["attempt_id": .string(attempt), "enrollment_id": .string(enrollmentID)])
            }
            if k % 3 == 1 {
                add("jit.failed", 50_000, ["reason": "device_registration key has trailing spaces"])
            } else {
                add("jit.registered", 50_000)
                add("authenticator.installed", 50_000, ["version": "6.8.17"])  // a tie with jit.registered
            }
            if k % 5 == 2 {
                add(
                    "device.unenrolled", 900_000, stream: enrollmentID, user: nil, source: "nanomdm",
                    ["by": "checkout", "enrollment_id": .string(enrollmentID)])
            }
        }
        return events
    }
}
