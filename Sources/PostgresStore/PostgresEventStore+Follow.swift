import EnrollmentDomain
import EventStore
import PostgresNIO

extension PostgresEventStore {
    /// The channel every append notifies, in its transaction, with the new last position (as text):
    /// PostgreSQL delivers it to the listeners when the transaction commits, never before, never if it
    /// rolls back.
    public static let notificationChannel = "enroll_audit_log"

    /// Follows the log: calls `body` with every event after `position`, page by page, in position order,
    /// each exactly once, and keeps waiting for new ones until the task is cancelled or `body` throws.
    ///
    /// It wakes on the NOTIFY of each append (LISTEN on ``notificationChannel``, on a connection of its own
    /// outside the pool) and then reads `after=N` (positions are gapless and in commit order, so nothing
    /// is skipped, whatever the notifications say). It also reads every `pollInterval` whatever happens: the
    /// safety net for a notification that never came, and the way it follows a server where LISTEN fails
    /// (a hot standby refuses LISTEN during recovery; a lost connection until it is back). LISTEN is tried
    /// again with bounded backoff (1 s doubling to 30 s) while it fails.
    ///
    /// - Parameter listening: told `true` once LISTEN is in place (and after each time it is again), `false`
    ///   each time it failed or was lost.
    public nonisolated func follow(
        after position: Int64, pollInterval: Duration = .seconds(2), pageSize: Int = 4096,
        listening: (@Sendable (Bool) -> Void)? = nil, _ body: ([RecordedEvent]) async throws -> Void
    ) async throws {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (address, logger) = (address, logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await Self.listen(address, logger: logger, wake: wake, listening: listening) }
            group.addTask {
                while true {
                    try await Task.sleep(for: pollInterval)
                    wake.yield()
                }
            }
            defer { group.cancelAll() }
            var next = position
            wake.yield()
            for await _ in wakes {
                while true {
                    let page = try await events(after: next, limit: pageSize)
                    guard let last = page.last else { break }
                    try await body(page)
                    next = last.position
                }
                try Task.checkCancellation()
            }
        }
    }

    /// LISTENs on a connection of its own and wakes the follower on each notification (and once each time
    /// LISTEN starts, for what committed while it was not listening); when it fails, waits and tries again.
    private static func listen(
        _ address: PostgresLocation, logger: Logger, wake: AsyncStream<Void>.Continuation,
        listening: (@Sendable (Bool) -> Void)?
    ) async {
        let backoff = RetryPolicy(attempts: 100, baseDelay: .seconds(1), maximumDelay: .seconds(30))
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try address.configuration(), id: ConnectionIDs.next(), logger: logger)
                do {
                    try await connection.listen(on: notificationChannel) { notifications in
                        failures = 0
                        listening?(true)
                        logger.info("listening", metadata: ["channel": "\(notificationChannel)"])
                        wake.yield()
                        for try await _ in notifications { wake.yield() }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                guard !Task.isCancelled else { return }
                logger.notice(
                    "LISTEN failed: following by polling until it works",
                    metadata: ["error": "\(describe(error))", "store": "\(address)"])
            }
            guard !Task.isCancelled else { return }
            listening?(false)
            failures += 1
            try? await Task.sleep(for: backoff.delay(beforeAttempt: min(failures, 10), random: 1))
        }
    }
}
