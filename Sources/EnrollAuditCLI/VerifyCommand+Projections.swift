import EventStore
import Foundation

extension EnrollAudit.Verify {
    /// Rebuilds the projections into a scratch file in `$TMPDIR` and compares them with the store's.
    func checkProjections(_ store: SQLiteEventStore) throws -> ProjectionCheck {
        let check = try store.verifyProjections(progress: Terminal.progress("rebuilding projections, position"))
        Terminal.endProgress()
        return check
    }
}
