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
    /// SQLite's page cache per connection, in KiB. The default is 65,536 (64 MiB): enough to keep the
    /// indexes of a multi-million-event store hot during a bulk ingest.
    public var pageCacheKiB = 65_536
    /// The projections maintained inside every append transaction. The default is none.
    public var projections: [any InlineProjection] = []

    public init() {}
}
