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
    /// Starts applying events inside one write transaction. The writer lives as long as the transaction
    /// (or the rebuild), so it may prepare statements once and keep caches and deferred work in memory.
    func makeWriter(_ db: Database) throws -> any ProjectionWriter
    /// The same, for a projection that may read what the writers before it in the store's list hold in
    /// memory (`earlier`, in that order, created for the same transaction). The default ignores them.
    func makeWriter(_ db: Database, after earlier: [any ProjectionWriter]) throws -> any ProjectionWriter
}

extension InlineProjection {
    public func makeWriter(_ db: Database, after earlier: [any ProjectionWriter]) throws -> any ProjectionWriter {
        try makeWriter(db)
    }
}

/// Applies events to one projection inside one write transaction.
///
/// Created by ``InlineProjection/makeWriter(_:)``; used from the transaction's thread only.
public protocol ProjectionWriter: AnyObject {
    /// Applies one newly recorded (or replayed) event.
    func apply(_ event: RecordedEvent) throws
    /// Called between events when no savepoint is open, so work done now can only be undone together
    /// with the whole transaction: a writer that defers work may do some of it here (e.g. every N events,
    /// to keep memory bounded).
    func safePoint() throws
    /// Whether the writer holds as much deferred work as its bound allows. Checked at each safe point:
    /// when one writer needs it, every writer is flushed, in the store's order (a projection that reads
    /// another's tables finds them current).
    var needsFlush: Bool { get }
    /// Writes the deferred work (the row changes folded so far) to the tables now.
    func flush() throws
    /// A savepoint is about to open (``EventAppender/appendAll(_:)``). A writer whose deferred work could not
    /// be undone in part when the savepoint rolls back writes it now, so that ``discardCaches()`` can
    /// forget everything it holds.
    func willOpenSavepoint() throws
    /// Called once at the end of the transaction, after ``flush()``: finish any deferred work.
    func finish() throws
    /// A savepoint that covered some applied events was rolled back: forget whatever the writer keeps
    /// in memory about them (its tables were rolled back by SQLite).
    func discardCaches()
}

extension ProjectionWriter {
    public func safePoint() throws {}
    public var needsFlush: Bool { false }
    public func flush() throws {}
    public func willOpenSavepoint() throws {}
    public func finish() throws {}
    public func discardCaches() {}
}
