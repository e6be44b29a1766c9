import EnrollmentDomain
import GRDB

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
