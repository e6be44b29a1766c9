import EnrollmentDomain

/// Which enrollments ``EnrollmentQueries/stats(_:)`` counts.
public struct StatsQuery: Sendable, Hashable {
    /// Only enrollments whose first event occurred at or after this time.
    public var since: Timestamp?
    /// Only enrollments whose first event occurred before this time.
    public var until: Timestamp?
    /// Also summarise each day (UTC, by first event). The default is `false`.
    public var byDay: Bool

    public init(since: Timestamp? = nil, until: Timestamp? = nil, byDay: Bool = false) {
        self.since = since
        self.until = until
        self.byDay = byDay
    }
}

/// Fleet statistics: the whole range, and optionally each day of it.
public struct FleetStats: Sendable, Hashable, Codable {
    public var since: Timestamp?
    public var until: Timestamp?
    public var total: FleetSummary
    /// One summary per UTC day that has enrollments, oldest first (empty unless asked for).
    public var days: [DaySummary]
}

/// One day of ``FleetStats``.
public struct DaySummary: Sendable, Hashable, Codable {
    /// `YYYY-MM-DD`, UTC.
    public var day: String
    public var summary: FleetSummary
}

/// Counts over a set of enrollments.
public struct FleetSummary: Sendable, Hashable, Codable {
    public struct StateCount: Sendable, Hashable, Codable {
        public var state: EnrollmentState
        public var count: Int
    }

    public struct StepCount: Sendable, Hashable, Codable {
        public var step: EnrollmentStep
        /// Enrollments whose furthest step is this one or beyond.
        public var count: Int
    }

    public struct FailureCount: Sendable, Hashable, Codable {
        public var step: EnrollmentStep
        public var reason: String
        /// Enrollments in the `failed` state for this reason.
        public var count: Int
    }

    /// Nearest-rank percentiles of time-to-enroll, in seconds, each reported as the value of its bucket
    /// (``TimeToEnrollBuckets``): below 1,024 s rounded down to the whole second, above within 0.78%.
    public struct Percentiles: Sendable, Hashable, Codable {
        public var count: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
    }

    public var enrollments = 0
    /// Every state, in ``EnrollmentState`` order, zeros included.
    public var states: [StateCount] = EnrollmentState.allCases.map { StateCount(state: $0, count: 0) }
    /// The funnel: every step, in order.
    public var funnel: [StepCount] = EnrollmentStep.allCases.map { StepCount(step: $0, count: 0) }
    /// Failed enrollments by step and reason, most frequent first.
    public var failures: [FailureCount] = []
    /// `nil` when no enrollment completed.
    public var timeToEnroll: Percentiles?

    enum CodingKeys: String, CodingKey {
        case enrollments, states, funnel, failures
        case timeToEnroll = "time_to_enroll_s"
    }
}

/// Accumulates ``FleetSummary`` counts, a group of like enrollments at a time.
struct FleetAccumulator {
    private var summary = FleetSummary()
    private var failures: [FleetSummary.FailureCount] = []
    private var failureIndex: [String: Int] = [:]
    /// Enrollments per bucket of time to enroll (``TimeToEnrollBuckets``).
    private var timesToEnroll: [Int64: Int] = [:]

    /// Counts `count` enrollments in `state` whose furthest step is `stepIndex` (−1: none).
    mutating func add(_ count: Int, state: EnrollmentState, stepIndex: Int, failure: EnrollmentFailure?) {
        summary.enrollments += count
        summary.states[EnrollmentState.allCases.firstIndex(of: state)!].count += count
        for index in 0..<min(max(stepIndex + 1, 0), summary.funnel.count) { summary.funnel[index].count += count }
        if state == .failed, let failure {
            let key = "\(failure.step.rawValue)\u{0}\(failure.reason)"
            if let index = failureIndex[key] {
                failures[index].count += count
            } else {
                failureIndex[key] = failures.count
                failures.append(.init(step: failure.step, reason: failure.reason, count: count))
            }
        }
    }

    /// Counts `count` times to enroll that fall in `bucket`.
    mutating func addTimesToEnroll(_ count: Int, bucket: Int64) {
        timesToEnroll[bucket, default: 0] += count
    }

    func finish() -> FleetSummary {
        var result = summary
        result.failures = failures.sorted { ($1.count, $0.step, $0.reason) < ($0.count, $1.step, $1.reason) }
        let buckets = timesToEnroll.sorted { $0.key < $1.key }
        let total = buckets.reduce(0) { $0 + $1.value }
        if total > 0 {
            /// The nearest-rank percentile, as its bucket's representative value.
            func rank(_ percent: Double) -> Double {
                let rank = max(1, min(Int((percent / 100 * Double(total)).rounded(.up)), total))
                var seen = 0
                for (bucket, count) in buckets {
                    seen += count
                    if seen >= rank { return TimeToEnrollBuckets.representativeSeconds(of: bucket) }
                }
                return TimeToEnrollBuckets.representativeSeconds(of: buckets[buckets.count - 1].key)
            }
            result.timeToEnroll = .init(count: total, p50: rank(50), p90: rank(90), p99: rank(99))
        }
        return result
    }
}
