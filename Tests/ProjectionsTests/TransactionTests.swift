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

    @Test func aRolledBackMergeIsForgottenByTheCachesOfTheTransaction() throws {
        // Caches live for a whole transaction: a merge made inside a rolled-back group must not survive
        // in memory, and the enrollment noted before the group must still be recomputed at the end.
        let projected = try ProjectedStore(flushInterval: 1)
        let first = EventFactory.event(
            stream: "UE-c", type: "remote_management.allowed", at: 1_790_000_000_000)
        let link = EventFactory.event(
            stream: "MDM-d", type: "identity.linked", at: 1_790_000_001_000, data: ["attempt_id": "UE-c"])
        let invalid = EventFactory.event(stream: "MDM-d", type: "jit.failed", data: ["reason": 3])
        let later = EventFactory.event(
            stream: "MDM-d", type: "profile.installed", at: 1_790_000_002_000, data: ["enrollment_id": "E-d"])
        try projected.store.write { appender in
            try appender.append(first)
            #expect(throws: EventStoreError.self) { try appender.appendAll([link, invalid]) }
            try appender.append(later)
        }
        let c = try #require(try projected.queries.enrollments(matching: "UE-c").first)
        #expect(c.enrollment == "UE-c")
        #expect(c.events == 1)
        #expect(c.step == .remoteManagement)
        let d = try #require(try projected.queries.enrollments(matching: "E-d").first)
        #expect(d.enrollment == "MDM-d")
        #expect(d.events == 1)
        let rebuilt = try projected.dump()
        try projected.store.rebuildProjections()
        #expect(try projected.dump() == rebuilt)
    }
}
