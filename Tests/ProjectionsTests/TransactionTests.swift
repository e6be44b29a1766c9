import EnrollmentDomain
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// Device status follows the store's transactions: what is rolled back leaves no trace.
struct TransactionTests {
    @Test func aRolledBackGroupAfterAMidTransactionRecomputationLeavesTheStatusOfWhatWasKept() throws {
        let projected = try ProjectedStore(flushInterval: 2)
        let kept = EventFactory.event(
            stream: "UE-a", type: "discovery.succeeded", at: 1_790_000_000_000,
            data: ["domain": "contoso.com", "user_identifier": "joe@contoso.com"])
        let dropped = EventFactory.event(
            stream: "UE-a", type: "account.signed_in", at: 1_790_000_010_000,
            data: ["upn": "joe@contoso.com"])
        let invalid = EventFactory.event(stream: "UE-a", type: "jit.failed", data: ["reason": 3])
        try projected.store.write { appender in
            try appender.append(kept)
            // `dropped` lands at position 2: the enrollment is recomputed, then the group rolls back.
            #expect(throws: EventStoreError.self) { try appender.appendAll([dropped, invalid]) }
        }
        let status = try #require(try projected.queries.enrollments(matching: "UE-a").first)
        #expect(status.events == 1)
        #expect(status.step == .discovery)
    }

    @Test func aFailedAppendLeavesNoStatus() throws {
        let projected = try ProjectedStore(flushInterval: 1)
        let good = EventFactory.event(stream: "UE-b", type: "remote_management.allowed")
        let invalid = EventFactory.event(stream: "UE-b", type: "jit.failed", data: ["reason": 3])
        #expect(throws: EventStoreError.self) { try projected.store.append([good, invalid]) }
        #expect(try projected.queries.devices().isEmpty)
        try projected.store.append([good])
        #expect(try projected.queries.enrollments(matching: "UE-b").map(\.events) == [1])
    }
}
