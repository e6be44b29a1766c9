import EnrollmentDomain
import Foundation
import Testing

struct TimestampTests {
    @Test(arguments: [
        ("2026-10-01T16:35:20.116Z", Int64(1_790_872_520_116)),
        ("2026-10-01T16:35:20Z", 1_790_872_520_000),
        ("2026-10-01T18:35:20.116+02:00", 1_790_872_520_116),
        ("2026-10-01T16:35:20.1169999Z", 1_790_872_520_116),
        ("2026-10-01 16:35:20.1Z", 1_790_872_520_100),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29", 1_709_164_800_000),
    ])
    func parsesISO8601(text: String, milliseconds: Int64) {
        #expect(Timestamp(iso8601: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2025-02-29", "2026-10-01T24:00:00Z", "2026-10-01T16:35:20", "yesterday", "",
    ])
    func refusesWhatIsNotADateTime(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func formatsRoundTripAndAgreeWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for _ in 0..<2_000 {
            let millis = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let timestamp = Timestamp(milliseconds: millis)
            #expect(Timestamp(iso8601: timestamp.iso8601) == timestamp)
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(
                formatter.date(from: timestamp.iso8601).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
                    == Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
    }
}
