import Foundation
import GRDB
import GRDBSQLite

/// What is at a store's path, checked before SQLite opens it.
enum StoreFile {
    /// Refuses a path that is not a regular file (or a link to one): a directory gives "disk I/O error"
    /// in SQLite, and a FIFO blocks a reader forever.
    ///
    /// - Returns: whether a file exists at `path`.
    /// - Throws: ``EventStoreError`` `not_a_file` naming what is there.
    static func check(_ path: String) throws -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT {
                var link = stat()
                if lstat(path, &link) == 0 {
                    throw EventStoreError(.notAFile, "is a symbolic link to nothing; name the store file", path: path)
                }
                return false
            }
            if errno == ENOTDIR {
                throw EventStoreError(
                    .notAFile, "has a file where a directory should be; name the store file", path: path)
            }
            throw EventStoreError(
                .storeNotFound, "cannot open the store: \(String(cString: strerror(errno)))", path: path)
        }
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG: return true
        case S_IFDIR: kind = "a directory"
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw EventStoreError(.notAFile, "is \(kind), not a store file; name the store file", path: path)
    }

    /// Refuses to write where the store, or its directory (where SQLite keeps `-wal` and `-shm`), cannot be
    /// written: a read-only mount, missing permissions.
    ///
    /// - Throws: ``EventStoreError`` `read_only` with the system's reason.
    static func requireWritable(_ path: String, exists: Bool) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let manager = FileManager.default
        let sidecarsExist = manager.fileExists(atPath: path + "-wal") && manager.fileExists(atPath: path + "-shm")
        var targets = sidecarsExist ? [] : [(directory, "its directory")]
        if exists { targets += [(path, "the file")] + (sidecarsExist ? [(path + "-wal", "its -wal file")] : []) }
        for (target, what) in targets {
            if access(target, W_OK) != 0 {
                throw EventStoreError(
                    .readOnly, "the store cannot be written (\(what): \(String(cString: strerror(errno))))", path: path)
            }
        }
    }

    /// Whether a read-only open must tell SQLite the file is immutable: the store was copied alone (no
    /// `-wal`, no `-shm`) onto media where those cannot be created (a read-only mount, a directory we
    /// cannot write). SQLite then reads the file as it is, without the shared-memory index or locks.
    static func needsImmutableOpen(_ path: String) -> Bool {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path + "-shm") else { return false }
        if let size = try? manager.attributesOfItem(atPath: path + "-wal")[.size] as? Int, size > 0 { return false }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var system = statvfs()
        if statvfs(path, &system) == 0 && system.f_flag & UInt(ST_RDONLY) != 0 { return true }
        return access(directory, W_OK) != 0
    }

    /// The `file:` URI of `path` with SQLite's `immutable=1` (and read-only mode): `%`, `?` and `#` escaped.
    static func immutableURI(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).path
        var escaped = ""
        for character in absolute.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "file:\(escaped)?mode=ro&immutable=1"
    }

    /// Whether this SQLite library reads `file:` URIs given as plain file names (`SQLITE_USE_URI`, as
    /// Debian's and Apple's builds are compiled); GRDB opens files without `SQLITE_OPEN_URI`.
    static var acceptsURIs: Bool { sqlite3_compileoption_used("USE_URI") == 1 }
}

extension SQLiteEventStore {
    /// Whether a store file exists at `path`.
    ///
    /// - Throws: ``EventStoreError`` `not_a_file` when something else is there (a directory, a FIFO, a
    ///   device, a dangling symbolic link, a file where a directory should be).
    public static func fileExists(at path: String) throws -> Bool {
        try StoreFile.check(path)
    }
}

/// An exclusive lock, across processes, on the directory of a store while it is created and migrated:
/// any number of first writers may start at once, and each finds either no file or a whole store.
///
/// `flock(2)` on the directory, not on the store file: closing a descriptor of the store file would drop
/// the POSIX locks SQLite holds on it.
final class StoreCreationLock {
    private let descriptor: Int32

    /// Waits for the lock on the directory of `path` (without it, when the directory cannot be opened).
    init(forStoreAt path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        }
    }

    deinit {
        if descriptor >= 0 {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }
}
