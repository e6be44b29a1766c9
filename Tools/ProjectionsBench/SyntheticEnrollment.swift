import EnrollmentDomain
import Foundation

/// One synthetic enrollment of ten events, deterministic from its index.
struct SyntheticEnrollment {
    let index: Int
    var attempt: String { "UE-bench-\(index)" }
    var enrollmentID: String { String(format: "%040x", index + 1) }
    var user: String { "user\(index % 50_000)@contoso.com" }

    /// How many events the enrollments written for about `count` events hold.
    static func count(forAbout count: Int) throws -> Int {
        (0..<max(1, count / 10)).reduce(0) { $0 + SyntheticEnrollment(index: $1).events().count }
    }

    func events() -> [NewEvent] {
        let base: Int64 = 1_790_000_000_000 + Int64(index) * 37_000
        var serial = 0
        func event(_ type: String, _ offset: Int64, stream: String? = nil, _ data: [String: JSONValue] = [:])
            -> NewEvent
        {
            serial += 1
            let id = UUID(uuidString: String(format: "00000000-%04x-4000-8000-%012x", serial, index))!
            return NewEvent(
                eventID: id, stream: stream ?? attempt, type: type, occurredAt: Timestamp(milliseconds: base + offset),
                source: stream == nil ? "enrollment-service" : "nanomdm", user: stream == nil ? user : nil,
                data: data)
        }
        let outcome = index % 10
        var events = [
            event(
                "discovery.succeeded", 0,
                ["domain": .string("contoso.com"), "user_identifier": .string(user), "model_family": .string("iPhone")]),
            event(
                "account.signed_in", 20_000, ["upn": .string(user), "aad_user_id": .string("aad-\(index % 50_000)")]),
            event("apple_id.signed_in", 90_000),
        ]
        if outcome == 9 {
            events.append(event("remote_management.declined", 120_000))
            return events
        }
        // Out of order on purpose: the link and the profile arrive before the Remote Management step.
        events += [
            event("profile.installed", 150_000, ["enrollment_id": .string(enrollmentID)]),
            event("remote_management.allowed", 120_000),
            event(
                "mdm.authenticated", 151_000, stream: enrollmentID,
                ["enrollment_id": .string(enrollmentID), "attempt_id": .string(attempt), "os_version": .string("18.1")]),
            event(
                "mdm.token_updated", 152_000, stream: enrollmentID,
                ["enrollment_id": .string(enrollmentID), "token_update_tally": .int(1)]),
        ]
        if outcome == 8 {
            events.append(
                event("jit.failed", 200_000, ["reason": .string("device_registration key has trailing spaces")]))
            return events
        }
        events += [
            event("jit.registered", 200_000),
            event("authenticator.install_requested", 210_000),
        ]
        if outcome != 7 { events.append(event("authenticator.installed", 400_000, ["version": .string("6.8.17")])) }
        return events
    }
}
