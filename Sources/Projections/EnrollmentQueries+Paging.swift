import EnrollmentDomain
import GRDB

/// A place in the newest-first list of ``EnrollmentQueries/devices(_:)``: the last enrollment of a page.
/// The next page is the enrollments after it (an older first event, or the same and a smaller id), so a
/// page stays exact however many enrollments are added while a client pages.
public struct DeviceCursor: Sendable, Hashable {
    public var firstSeen: Timestamp
    public var enrollment: String

    public init(firstSeen: Timestamp, enrollment: String) {
        self.firstSeen = firstSeen
        self.enrollment = enrollment
    }

    /// The cursor after `status`.
    public init(after status: DeviceStatus) {
        self.init(firstSeen: status.firstSeen, enrollment: status.enrollment)
    }
}

extension EnrollmentQueries {
    /// How many `in_progress` enrollments have had no step for ``stalledAfterSeconds`` as of `asOf` (`nil`:
    /// now): the `stalled` flag of ``devices(_:)``, counted by the index on state and last step.
    public func stalledCount(asOf: Timestamp? = nil) throws -> Int {
        let asOf = asOf ?? .currentTime
        let threshold = asOf.milliseconds - Int64((stalledAfterSeconds * 1000).rounded(.up))
        return try store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM device_status WHERE state = 'in_progress' AND last_step_at <= ?",
                arguments: [threshold]) ?? 0
        }
    }
}
