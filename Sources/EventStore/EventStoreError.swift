import Foundation
import GRDB

/// An error of the event store, with a stable code and the context a support engineer needs.
///
/// The description names the stream, position and event id involved, never payload contents.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The stream's version is not the one the caller expected (optimistic concurrency).
        public static let versionConflict = Code(rawValue: "version_conflict")
        /// An event id is already stored with different content.
        public static let eventIDConflict = Code(rawValue: "event_id_conflict")
        /// The store file does not exist (read-only open).
        public static let storeNotFound = Code(rawValue: "store_not_found")
        /// The path is a directory, a FIFO, a device: not a file that could hold a store.
        public static let notAFile = Code(rawValue: "not_a_file")
        /// The file is not an enrollment audit store, or is damaged.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The file's schema is older than this program: opening it for writing migrates it.
        public static let schemaTooOld = Code(rawValue: "schema_too_old")
        /// The file's schema is newer than this program.
        public static let schemaTooNew = Code(rawValue: "schema_too_new")
        /// The disk or a size limit is full.
        public static let diskFull = Code(rawValue: "disk_full")
        /// The file or its directory is read-only.
        public static let readOnly = Code(rawValue: "read_only")
        /// Another process held the write lock for longer than the busy timeout.
        public static let busy = Code(rawValue: "busy")
        /// A stored row cannot be decoded (its payload or id is damaged).
        public static let undecodable = Code(rawValue: "undecodable")
        /// Any other SQLite failure.
        public static let database = Code(rawValue: "database")
        /// An event was refused by validation.
        public static let invalidEvent = Code(rawValue: "invalid_event")
        /// The database server could not be reached, or the connection broke (PostgreSQL).
        public static let unavailable = Code(rawValue: "unavailable")
    }

    public var code: Code
    /// What happened, in words.
    public var message: String
    public var stream: String?
    public var position: Int64?
    public var eventID: String?
    public var expectedVersion: Int64?
    public var actualVersion: Int64?
    /// The store file involved.
    public var path: String?

    public init(
        _ code: Code, _ message: String, stream: String? = nil, position: Int64? = nil, eventID: String? = nil,
        expectedVersion: Int64? = nil, actualVersion: Int64? = nil, path: String? = nil
    ) {
        self.code = code
        self.message = message
        self.stream = stream
        self.position = position
        self.eventID = eventID
        self.expectedVersion = expectedVersion
        self.actualVersion = actualVersion
        self.path = path
    }

    public var description: String {
        var context: [String] = []
        if let path { context.append("store \(path)") }
        if let stream { context.append("stream \(stream)") }
        if let position { context.append("position \(position)") }
        if let eventID { context.append("event \(eventID)") }
        return context.isEmpty ? message : "\(message) (\(context.joined(separator: ", ")))"
    }

    /// Refuses a batch whose expected version of `stream` is not the actual one (optimistic concurrency).
    public static func requireVersion(of stream: String, expected: Int64, actual: Int64) throws {
        guard actual == expected else {
            throw EventStoreError(
                .versionConflict, "stream \(stream) is at version \(actual), but version \(expected) was expected",
                stream: stream, expectedVersion: expected, actualVersion: actual)
        }
    }

    /// Translates a GRDB/SQLite error into a store error with a code a caller can act on.
    static func wrapping(_ error: any Error, path: String) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return EventStoreError(.corrupt, "the file is not a valid enrollment audit store: \(message)", path: path)
        case .SQLITE_FULL:
            return EventStoreError(.diskFull, "the disk is full; nothing of this write was stored", path: path)
        case .SQLITE_READONLY, .SQLITE_PERM:
            return EventStoreError(.readOnly, "the store is read-only: \(message)", path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return EventStoreError(.busy, "another process kept the store locked: \(message)", path: path)
        case .SQLITE_CANTOPEN:
            return EventStoreError(.storeNotFound, "cannot open the store: \(message)", path: path)
        default:
            return EventStoreError(.database, "SQLite error: \(message)", path: path)
        }
    }
}
