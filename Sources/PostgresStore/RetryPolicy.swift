/// How often, and after how long, a transaction the server aborted as a serialization failure (SQLSTATE
/// 40001) or a deadlock (40P01) is tried again: exponential backoff with jitter, bounded in count and delay.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// The delay before the second attempt; it doubles for each later one.
    public var baseDelay: Duration
    /// No delay is longer than this.
    public var maximumDelay: Duration

    public init(attempts: Int = 6, baseDelay: Duration = .milliseconds(20), maximumDelay: Duration = .seconds(1)) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// The delay before attempt `attempt + 1` (`attempt` ≥ 1): base × 2^(attempt−1), capped, then a random
    /// part of it between a half and the whole (so that writers aborted together do not retry together).
    public func delay(beforeAttempt attempt: Int, random: Double = Double.random(in: 0.5...1)) -> Duration {
        let exponential = baseDelay * Int(1 << min(max(attempt - 1, 0), 20))
        let capped = min(exponential, maximumDelay)
        return capped * min(max(random, 0), 1)
    }
}
