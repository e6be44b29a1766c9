/// Durations written as people write them: `90s`, `30m`, `2h`, `7d`, `1w` (a bare number means seconds).
public enum DurationText {
    /// The milliseconds of `text`, or `nil` when it is not such a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        var number = Substring(text)
        var unit: Int64 = 1_000
        if let last = number.last, let factor = units[last] {
            unit = factor
            number = number.dropLast()
        }
        guard let value = Int64(number), value >= 0, value < Int64.max / unit else { return nil }
        return value * unit
    }
}
