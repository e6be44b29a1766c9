import EnrollmentDomain
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// The identity rules beyond the sample: lone access-log lines, late links, canonical ids.
struct IdentityRulesTests {
    let discovery: [String: JSONValue] = ["domain": "contoso.com", "user_identifier": "joe@contoso.com"]

    @Test func anAccessLogDiscoveryWithNoTwinIsAnEnrollmentOfItsOwn() throws {
        let projected = try ProjectedStore()
        var failed = discovery
        failed["reason"] = "not_found"
        failed["http_status"] = 404
        let line = NewEvent(
            eventID: UUID(), stream: "web:joe@contoso.com@2026-10-01T10:00:00Z", type: "discovery.failed",
            occurredAt: Timestamp(iso8601: "2026-10-01T10:00:00Z")!, source: "access-log", user: "joe@contoso.com",
            data: failed)
        // The same user's native attempt a second later is another request: not joined.
        let native = EventFactory.event(
            stream: "UE-joe", type: "discovery.succeeded", at: line.occurredAt.milliseconds + 1_500, data: discovery)
        try projected.store.append([line, native])
        let found = try projected.queries.enrollments(matching: "joe@contoso.com")
        #expect(found.map(\.enrollment) == ["web:joe@contoso.com@2026-10-01T10:00:00Z", "UE-joe"])
        #expect(found[0].failure == EnrollmentFailure(step: .discovery, reason: "not_found"))
        #expect(found[1].state == .inProgress)
    }

    @Test func aLateLinkMergesTwoHistoriesAndTheCanonicalIDIsTheEarliestStream() throws {
        let projected = try ProjectedStore()
        let start: Int64 = 1_790_000_000_000
        try projected.store.append([
            EventFactory.event(stream: "UE-late", type: "discovery.succeeded", at: start, data: discovery),
            EventFactory.event(
                stream: "E-late", type: "mdm.authenticated", at: start + 60_000, user: nil,
                data: ["enrollment_id": "E-late"]),
        ])
        #expect(try projected.queries.devices().count == 2)
        try projected.store.append([
            EventFactory.event(
                stream: "UE-late", type: "identity.linked", at: start + 61_000,
                data: ["enrollment_id": "E-late", "intune_device_id": "intune-1"])
        ])
        let merged = try projected.queries.devices()
        #expect(merged.map(\.enrollment) == ["UE-late"])
        #expect(merged[0].step == .profileInstalled)
        #expect(try projected.queries.enrollments(matching: "intune-1").map(\.enrollment) == ["UE-late"])
        // An MDM event that occurred earlier than everything moves the canonical id to its stream.
        try projected.store.append([
            EventFactory.event(
                stream: "E-late", type: "mdm.checked_in", at: start - 1_000, user: nil,
                data: ["enrollment_id": "E-late", "message_type": "Connect"])
        ])
        #expect(try projected.queries.devices().map(\.enrollment) == ["E-late"])
        #expect(try projected.queries.enrollments(matching: "UE-late").map(\.events) == [4])
    }
}
