import EnrollmentDomain
import Foundation

/// How a timeline entry turned out.
public enum TimelineOutcome: String, Sendable, Hashable, Codable {
    case ok
    case failed
    case info
}

/// One event of an enrollment's troubleshooting timeline.
public struct TimelineEntry: Sendable, Hashable, Codable {
    /// The canonical id of the enrollment it belongs to.
    public var enrollment: String
    public var position: Int64
    public var eventID: UUID
    public var stream: String
    public var type: String
    public var source: String
    public var occurredAt: Timestamp
    public var recordedAt: Timestamp
    /// What happened, in words.
    public var label: String
    public var outcome: TimelineOutcome
    /// Seconds since the previous entry of the same enrollment (`nil` for the first).
    public var gapSeconds: Double?
    /// What probably went wrong and how to fix it, where the knowledge base knows.
    public var hint: Hint?

    enum CodingKeys: String, CodingKey {
        case enrollment, position, stream, type, source, label, outcome, hint
        case eventID = "event_id"
        case occurredAt = "occurred_at"
        case recordedAt = "recorded_at"
        case gapSeconds = "gap_s"
    }
}
