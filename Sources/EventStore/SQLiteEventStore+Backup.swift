import Foundation
import GRDB

extension SQLiteEventStore {
    /// Copies the store into a new file with SQLite's online backup (through GRDB), from one consistent
    /// snapshot while writers go on. The file is created with mode 0600 and must not exist.
    ///
    /// - Returns: the tree of the copy (its size and root), read back from the copy.
    /// - Throws: ``EventStoreError`` (`read_only` when the file exists or cannot be created).
    public func backup(to destination: String) throws -> TreeHead {
        let descriptor = open(destination, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw EventStoreError(
                .readOnly, "cannot create the backup: \(String(cString: strerror(errno)))", path: destination)
        }
        close(descriptor)
        do {
            let target = try DatabaseQueue(path: destination)
            try translatingErrors { try pool.backup(to: target) }
            let head = try target.read { db in try Self.treeHead(db) }
            try target.close()
            return head
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: destination + suffix)
            }
            throw error
        }
    }
}
