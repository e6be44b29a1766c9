/// The buckets the `fleet_stats` aggregate counts times to enroll in, computable in Swift (the writer's
/// deltas) and by SQLite with integer arithmetic (a rebuild's grouped count, the queries of partial days).
///
/// A bucket is named by its lower bound in whole seconds, so buckets sort like the times they hold:
/// - below ``exactBelowSeconds`` (1,024 s, 17 min 4 s) one bucket per second: the time rounded down to
///   the whole second;
/// - from there on, ``bucketsPerOctave`` buckets per power of two: a time in [2ᵉ, 2ᵉ⁺¹) s falls in a
///   bucket 2ᵉ⁻⁶ s wide (16 s wide from 1,024 s, 64 s wide from 4,096 s, …).
///
/// A percentile is reported as its bucket's ``representativeSeconds(of:)``: below 1,024 s the exact
/// nearest-rank value rounded down to the whole second (an error under 1 s); from 1,024 s on the middle
/// of the bucket, within 1/128 (0.78%) of the exact value.
public enum TimeToEnrollBuckets {
    /// Times below this many seconds get a bucket per second.
    public static let exactBelowSeconds: Int64 = 1 << exactBelowExponent
    /// How many buckets each power of two from ``exactBelowSeconds`` on is divided into.
    public static let bucketsPerOctave: Int64 = 1 << octaveDivisionExponent

    private static let exactBelowExponent = 10
    private static let octaveDivisionExponent = 6

    /// The SQL expression of the bucket of a time to enroll in milliseconds (an integer expression such as
    /// `NEW.time_to_enroll_ms`): the same in the triggers and in the queries of partial days.
    static func sql(milliseconds: String) -> String {
        let seconds = "(\(milliseconds) / 1000)"
        var sql = "CASE WHEN \(seconds) < \(exactBelowSeconds) THEN \(seconds)"
        for exponent in exactBelowExponent..<62 {
            let shift = exponent - octaveDivisionExponent
            sql += " WHEN \(seconds) < \(Int64(1) << (exponent + 1)) THEN (\(seconds) >> \(shift)) << \(shift)"
        }
        let shift = 62 - octaveDivisionExponent
        return sql + " ELSE (\(seconds) >> \(shift)) << \(shift) END"
    }

    /// The bucket of a time to enroll in milliseconds: what ``sql(milliseconds:)`` computes, in Swift (the
    /// `device_status` writer's ``FleetStatsDeltas``).
    static func bucket(milliseconds: Int64) -> Int64 {
        let seconds = milliseconds / 1000
        guard seconds >= exactBelowSeconds else { return seconds }
        let shift = Int64.bitWidth - 1 - seconds.leadingZeroBitCount - octaveDivisionExponent
        return (seconds >> shift) << shift
    }

    /// The value a percentile falling in `bucket` is reported as, in seconds: the bucket's lower bound
    /// below ``exactBelowSeconds``, its middle above.
    public static func representativeSeconds(of bucket: Int64) -> Double {
        guard bucket >= exactBelowSeconds else { return Double(bucket) }
        let octave = Int64(1) << (Int64.bitWidth - 1 - bucket.leadingZeroBitCount)
        return Double(bucket) + Double(octave / bucketsPerOctave) / 2
    }
}
