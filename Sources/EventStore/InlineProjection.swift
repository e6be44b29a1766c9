import EnrollmentDomain
import GRDB

/// A read model kept up to date inside every append transaction, and rebuildable from the log.
///
/// A projection must be a pure function of the *set* of events: the order events arrive in, batch
/// boundaries, and rebuild-versus-incremental must never change its tables.
public protocol InlineProjection: Sendable {
    /// A stable name, also the key of its checkpoint row.
    var name: String { get }
    /// Bump when the code changes what the tables hold: the store then rebuilds it on open.
    var version: Int { get }
    /// Creates (or re-creates) the projection's tables, empty.
    func reset(_ db: Database) throws
    /// Applies one newly recorded event.
    func apply(_ event: RecordedEvent, _ db: Database) throws
    /// Called once at the end of each transaction that applied events (for deferred work).
    func commit(_ db: Database) throws
}

extension InlineProjection {
    public func commit(_ db: Database) throws {}
}
