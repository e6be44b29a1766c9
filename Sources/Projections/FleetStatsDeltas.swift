/// What one flush of the `device_status` writer changes in the `fleet_stats` aggregate: per key, how many
/// rows it counted (rows inserted) less how many it uncounted (rows deleted), written once per key,
/// sorted by key, when the flush ends (instead of an upsert per row from a trigger).
///
/// A row's key is what the triggers of old computed in SQL (``FleetStatsTables/countKey(prefix:)``): the
/// UTC day of `first_seen`, the state, the step, and the failure as `stats` reports it.
/// `FleetStatsDeltasTests` holds the Swift keys to the SQL ones.
public struct FleetStatsDeltas: Sendable {
    public init() {}

    /// The columns of a `device_status` row that the aggregate counts.
    public struct Row: Sendable {
        public var firstSeen: Int64
        public var state: String
        public var stepIndex: Int64
        public var failureStep: String?
        public var failureReason: String?
        public var timeToEnrollMilliseconds: Int64?

        public init(
            firstSeen: Int64, state: String, stepIndex: Int64, failureStep: String?, failureReason: String?,
            timeToEnrollMilliseconds: Int64?
        ) {
            self.firstSeen = firstSeen
            self.state = state
            self.stepIndex = stepIndex
            self.failureStep = failureStep
            self.failureReason = failureReason
            self.timeToEnrollMilliseconds = timeToEnrollMilliseconds
        }
    }

    /// A key of `fleet_stats`.
    public struct CountKey: Hashable, Comparable, Sendable {
        public var day: Int64
        public var state: String
        public var stepIndex: Int64
        public var failureStep: String
        public var failureReason: String

        public init(_ row: Row) {
            day = FleetStatsTables.day(ofMilliseconds: row.firstSeen)
            state = row.state
            stepIndex = row.stepIndex
            failureStep = row.failureStep ?? ""
            failureReason = row.failureStep == nil ? "" : row.failureReason ?? "unknown"
        }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.day, lhs.state, lhs.stepIndex, lhs.failureStep, lhs.failureReason)
                < (rhs.day, rhs.state, rhs.stepIndex, rhs.failureStep, rhs.failureReason)
        }
    }

    /// A key of `fleet_stats_time_to_enroll`.
    public struct TimeKey: Hashable, Comparable, Sendable {
        public var day: Int64
        public var bucket: Int64

        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.day, lhs.bucket) < (rhs.day, rhs.bucket) }
    }

    public private(set) var counts: [CountKey: Int64] = [:]
    public private(set) var times: [TimeKey: Int64] = [:]

    /// Counts `row` (`sign` +1: a row inserted) or uncounts it (−1: a row deleted).
    public mutating func add(_ row: Row, sign: Int64) {
        let key = CountKey(row)
        counts[key, default: 0] += sign
        if let milliseconds = row.timeToEnrollMilliseconds {
            times[TimeKey(day: key.day, bucket: TimeToEnrollBuckets.bucket(milliseconds: milliseconds)), default: 0] +=
                sign
        }
    }
}
