/// How a ``SQLiteEventStore`` opens its file and writes to it.
///
/// Only the executable reads environment variables; libraries take this struct.
public struct StoreConfiguration: Sendable {
    /// When an acknowledged append is on disk.
    public enum Durability: String, Sendable, CaseIterable {
        /// `PRAGMA synchronous = FULL`: the WAL is fsynced at every commit, so an acknowledged append
        /// survives a process crash *and* a power loss or kernel panic.
        case full
        /// `PRAGMA synchronous = NORMAL`: an acknowledged append survives a process crash; the last
        /// transactions before a power loss may be lost (never corrupted). Faster for bulk loads.
        case normal
    }

    /// How new payloads are compressed. Every codec stays readable whatever this says.
    public enum Compression: String, Sendable, CaseIterable {
        /// Store the canonical JSON as is.
        case none
        /// LZ4 block per row, used only where it makes the row smaller.
        case lz4
        /// LZ4 block per row primed with the store's payload dictionary, used only where it makes the row
        /// smaller. On typical ~250-byte payloads this saves 30–50% where plain LZ4 saves ~3%.
        case lz4Dictionary = "lz4-dictionary"
    }

    /// When an acknowledged append is on disk. The default is ``Durability-swift.enum/full``.
    public var durability: Durability = .full
    /// How new payloads are compressed. The default is ``Compression-swift.enum/lz4Dictionary``.
    public var compression: Compression = .lz4Dictionary
    /// Open without writing: no migration, no file creation; appends fail. The default is `false`.
    public var readOnly = false
    /// How long a writer waits for another process's write transaction before failing with a busy
    /// error. The default is 10 seconds.
    public var busyTimeoutSeconds: Double = 10
    /// SQLite's page cache of each reading connection, in KiB. The default is 65,536 (64 MiB).
    public var pageCacheKiB = 65_536
    /// SQLite's page cache of the writing connection, in KiB: an upper bound, filled only as pages are
    /// touched. The default is 262,144 (256 MiB). A bulk ingest inserts into indexes keyed by random ids
    /// (event ids, identity ids); when the cache holds them, each index page is written once per commit
    /// instead of once per eviction (at 1,000,000 events: 1.55× faster than with 64 MiB, and 14% fewer
    /// bytes written; docs/performance.md).
    public var writerPageCacheKiB = 262_144
    /// The projections maintained inside every append transaction. The default is none.
    public var projections: [any InlineProjection] = []

    public init() {}
}
