import Foundation
import GRDB

extension SQLiteEventStore {
    /// Removes the store at `path` (and its `-wal` and `-shm`) when it holds no event and no other process
    /// has it open: what a first ingest that failed created, so that it leaves nothing behind.
    ///
    /// Call it after every ``SQLiteEventStore`` of this process on `path` is released. It takes the lock
    /// new openers wait for (``StoreCreationLock``), so none can open the file meanwhile, and asks for an
    /// exclusive lock on the byte of the `-shm` file every open SQLite connection holds a shared lock on
    /// (the "DMS" byte, 128): when that is refused, another process has the store open, and it is kept.
    ///
    /// - Returns: whether the files were removed.
    @discardableResult
    public static func removeIfUnused(at path: String) -> Bool {
        let lock = StoreCreationLock(forStoreAt: path)
        defer { _ = lock }
        guard (try? StoreFile.check(path)) == true else { return false }
        var configuration = Configuration()
        configuration.readonly = true
        let events: Int? = try? DatabaseQueue(path: path, configuration: configuration).read { db in
            try db.tableExists("events") ? Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 : 0
        }
        guard events == 0 else { return false }
        let sharedMemory = open(path + "-shm", O_RDWR | O_CLOEXEC)
        if sharedMemory >= 0 {
            defer { close(sharedMemory) }
            var request = flock()
            request.l_type = Int16(F_WRLCK)
            request.l_whence = Int16(SEEK_SET)
            request.l_start = 128
            request.l_len = 1
            guard fcntl(sharedMemory, F_SETLK, &request) == 0 else { return false }
        }
        for suffix in ["-wal", "-shm", ""] { unlink(path + suffix) }
        return true
    }
}
