/// How a `[since, until)` range of first-seen times splits for ``EnrollmentQueries/stats(_:)``: the whole
/// UTC days inside it, read from the `fleet_stats` aggregate, and at most two partial days at its edges,
/// counted from `device_status`.
struct FleetStatsRange: Equatable {
    static let dayMilliseconds: Int64 = 86_400_000
    /// Bounds beyond these are clamped, so no day arithmetic overflows (±146 million years around 1970).
    static let limitMilliseconds: Int64 = 1 << 62

    /// Day numbers (days since 1970-01-01, UTC) `[from, to)` of the whole days; empty when there is none.
    var wholeDays: Range<Int64>
    /// First-seen times in milliseconds, `[from, to)`, of the partial days, oldest first.
    var partialDays: [Range<Int64>]

    /// - Parameters:
    ///   - since: the inclusive lower bound in milliseconds (`nil`: none).
    ///   - until: the exclusive upper bound in milliseconds (`nil`: none).
    init(since: Int64?, until: Int64?) {
        let limit = Self.limitMilliseconds
        let lower = since.map { min(max($0, -limit), limit) }
        let upper = until.map { min(max($0, -limit), limit) }
        // The first day that starts at or after `lower`, and the day `upper` falls in (exclusive).
        let firstWholeDay = lower.map { Self.day(containing: $0 - 1) + 1 } ?? Self.day(containing: -limit)
        let endOfWholeDays = upper.map { Self.day(containing: $0) } ?? Self.day(containing: limit) + 1
        guard firstWholeDay < endOfWholeDays else {
            let partial = (lower ?? -limit)..<max(lower ?? -limit, upper ?? limit)
            self.init(wholeDays: 0..<0, partialDays: partial.isEmpty ? [] : [partial])
            return
        }
        var partialDays: [Range<Int64>] = []
        if let lower, lower < firstWholeDay * Self.dayMilliseconds {
            partialDays.append(lower..<firstWholeDay * Self.dayMilliseconds)
        }
        if let upper, endOfWholeDays * Self.dayMilliseconds < upper {
            partialDays.append(endOfWholeDays * Self.dayMilliseconds..<upper)
        }
        self.init(wholeDays: firstWholeDay..<endOfWholeDays, partialDays: partialDays)
    }

    init(wholeDays: Range<Int64>, partialDays: [Range<Int64>]) {
        self.wholeDays = wholeDays
        self.partialDays = partialDays
    }

    /// The UTC day number a time in milliseconds falls in (rounded down, also before 1970).
    static func day(containing milliseconds: Int64) -> Int64 {
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: dayMilliseconds)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
