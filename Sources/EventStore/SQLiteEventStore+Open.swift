import Foundation
import Logging

extension SQLiteEventStore {
    /// Opens the store like ``init(path:configuration:logger:)``, trying again while another process holds
    /// a lock that SQLite reports at once instead of waiting for (opening a store while other processes
    /// create, migrate or switch it to WAL can answer `SQLITE_BUSY` without calling the busy handler).
    ///
    /// Every open is idempotent (creation and migration run under the store's creation lock), so a retry is
    /// safe. It tries for at most ``StoreConfiguration/busyTimeoutSeconds``, then throws the last error.
    ///
    /// - Throws: what the initializer throws; `busy` only once the time is up.
    public static func opening(
        path: String, configuration: StoreConfiguration = StoreConfiguration(),
        logger: Logger = Logger(label: "enroll-audit.store")
    ) throws -> SQLiteEventStore {
        let deadline = Date().addingTimeInterval(configuration.busyTimeoutSeconds)
        var pause: useconds_t = 5_000
        while true {
            do {
                return try SQLiteEventStore(path: path, configuration: configuration, logger: logger)
            } catch let error as EventStoreError where error.code == .busy && Date() < deadline {
                logger.debug("the store was busy while opening; trying again", metadata: ["audit.store": "\(path)"])
                usleep(pause)
                pause = min(pause * 2, 200_000)
            }
        }
    }
}
