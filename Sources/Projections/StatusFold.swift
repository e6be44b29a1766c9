import EnrollmentDomain
import Foundation

/// The device status of one enrollment as a pure function of its events: the `device_status` row.
struct StatusFold: Equatable {
    var enrollment: String
    var user: String?
    var entraUserID: String?
    var state: EnrollmentState = .inProgress
    var step: EnrollmentStep?
    var failure: EnrollmentFailure?
    var osVersion: String?
    var model: String?
    var firstSeen = Timestamp(milliseconds: 0)
    var lastSeen = Timestamp(milliseconds: 0)
    var lastStepAt: Timestamp?
    var enrolledAt: Timestamp?
    var events = 0
    /// The latest failed timeline entry (a failure, a symptom, a decline) no later success answered.
    var problem: EnrollmentProblem?
    /// Ids of the set that name two devices or two attempts (``IdentityConflict``).
    var conflicts: [IdentityConflict] = []

    /// What stands between the enrollment and `enrolled`, cleared by a later success at `step` or beyond.
    private struct Blocker: Equatable {
        var state: EnrollmentState
        /// Successes at this step index or beyond clear it.
        var clearedFrom: Int
        var failure: EnrollmentFailure?
    }

    /// Folds `events` in `occurred_at` order; equal times are ordered by event id, so the result never
    /// depends on the order events were recorded in.
    ///
    /// - Parameters:
    ///   - enrollment: the canonical id.
    ///   - upnOf: the UPN of an Entra user id, for enrollments whose events name no user (Graph).
    init(enrollment: String, events unsorted: [RecordedEvent], upnOf: (String) throws -> String?) rethrows {
        self.enrollment = enrollment
        let events = unsorted.map { ($0, $0.event.eventID.byteOrderKey) }.sorted {
            ($0.0.event.occurredAt, $0.1.0, $0.1.1) < ($1.0.event.occurredAt, $1.1.0, $1.1.1)
        }.map(\.0)
        guard let first = events.first, let last = events.last else { return }
        self.events = events.count
        firstSeen = first.event.occurredAt
        lastSeen = last.event.occurredAt
        var furthest = -1
        var profileDone = false
        var authenticatorDone = false
        var blocker: Blocker?
        var productName: String?
        var modelFamily: String?
        var effects = EventEffects()
        var enrollmentIDs: Set<String> = []
        var attempts: Set<String> = []
        for recorded in events {
            let event = recorded.event
            let data = recorded.currentData
            if user == nil, let name = event.user, !name.isEmpty { user = name }
            if entraUserID == nil { entraUserID = data.nonEmptyString("aad_user_id") }
            if let id = data.nonEmptyString("enrollment_id") { enrollmentIDs.insert(id) }
            if event.type.hasPrefix("discovery."), !IdentityFacts.secondHandSources.contains(event.source) {
                attempts.insert(event.stream)
            }
            productName = data.nonEmptyString("product_name") ?? productName
            modelFamily = data.nonEmptyString("model_family") ?? modelFamily
            osVersion = data.nonEmptyString("os_version") ?? osVersion
            let effect = effects.effect(of: event, data: data)
            switch effect {
            case .success: problem = nil
            case .failure(_, let reason), .symptom(let reason):
                problem = EnrollmentProblem(type: event.type, reason: reason, at: event.occurredAt)
            case .declined: problem = EnrollmentProblem(type: event.type, reason: "declined", at: event.occurredAt)
            case .fallback, .unenrolled, .info: break
            }
            switch effect {
            case .success(let done):
                furthest = max(furthest, done.index)
                lastStepAt = event.occurredAt
                if let current = blocker, done.index >= current.clearedFrom { blocker = nil }
                if done == .profileInstalled { profileDone = true }
                if done == .authenticatorInstalled { authenticatorDone = true }
                if enrolledAt == nil, profileDone, authenticatorDone { enrolledAt = event.occurredAt }
            case .failure(let known, let reason):
                let failed = known ?? (furthest < 0 ? .discovery : EnrollmentStep.allCases[min(furthest + 1, 6)])
                let failure = EnrollmentFailure(step: failed, reason: reason)
                blocker = Blocker(state: .failed, clearedFrom: failed.index, failure: failure)
            case .declined:
                blocker = Blocker(state: .declined, clearedFrom: EnrollmentStep.remoteManagement.index)
            case .fallback:
                blocker = Blocker(state: .fallback, clearedFrom: EnrollmentStep.profileInstalled.index)
            case .unenrolled:
                blocker = Blocker(state: .unenrolled, clearedFrom: Int.max)
            case .symptom, .info:
                break
            }
        }
        if enrollmentIDs.count > 1 {
            conflicts.append(IdentityConflict(kind: .enrollmentIDs, ids: enrollmentIDs.sorted()))
        }
        if attempts.count > 1 { conflicts.append(IdentityConflict(kind: .attempts, ids: attempts.sorted())) }
        step = furthest >= 0 ? EnrollmentStep.allCases[furthest] : nil
        model = productName ?? modelFamily
        if let blocker {
            state = blocker.state
            failure = blocker.failure
        } else {
            state = profileDone && authenticatorDone ? .enrolled : .inProgress
        }
        if user == nil, let entraUserID { user = try upnOf(entraUserID) }
    }

    /// Milliseconds from the first event to the one that completed the enrollment.
    var timeToEnrollMilliseconds: Int64? {
        enrolledAt.map { $0.milliseconds - firstSeen.milliseconds }
    }
}
