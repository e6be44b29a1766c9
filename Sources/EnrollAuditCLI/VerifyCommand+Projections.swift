import EventStore
import Foundation
import PostgresStore

extension EnrollAudit.Verify {
    /// Rebuilds the projections from the log into scratch files in `$TMPDIR` and compares them with the
    /// store's tables, on either backend.
    func checkProjections() throws -> ProjectionCheck {
        let progress = Terminal.progress("rebuilding projections, position")
        defer { Terminal.endProgress() }
        if let address = try storeOptions.postgresAddress {
            return try StoreOptions.withPostgres(address, migrate: false) {
                try await $0.verifyProjections(progress: progress)
            }
        }
        return try storeOptions.openForReading().verifyProjections(progress: progress)
    }
}
