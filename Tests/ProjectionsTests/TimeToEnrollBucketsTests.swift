import Foundation
import GRDB
import TestSupport
import Testing

@testable import Projections

/// The buckets SQLite computes in the triggers are the documented ones, and their values keep the
/// documented error.
struct TimeToEnrollBucketsTests {
    static let samples: [Int64] = {
        var random = SeededGenerator(seed: 42)
        let edges: [Int64] = [0, 999, 1_000, 1_023_999, 1_024_000, 1_039_999, 1_040_000, 2_047_999, 2_048_000]
        return edges + (0..<2_000).map { _ in Int64(pow(2, Double.random(in: 0...45, using: &random))) }
    }()

    @Test func sqliteComputesTheDocumentedBuckets() throws {
        let database = try DatabaseQueue()
        let sql = "WITH t(ms) AS (VALUES (?)) SELECT \(TimeToEnrollBuckets.sql(milliseconds: "ms")) FROM t"
        try database.read { db in
            for milliseconds in Self.samples {
                let bucket = try Int64.fetchOne(db, sql: sql, arguments: [milliseconds])
                #expect(bucket == StatsFleet.bucket(milliseconds: milliseconds), "\(milliseconds) ms")
            }
        }
    }

    @Test func aBucketsValueIsTheSecondBelow1024sAndWithin0_78PercentAbove() {
        for milliseconds in Self.samples {
            let value = TimeToEnrollBuckets.representativeSeconds(of: StatsFleet.bucket(milliseconds: milliseconds))
            let exact = Double(milliseconds) / 1000
            if milliseconds < 1_024_000 {
                #expect(value == exact.rounded(.down), "\(milliseconds) ms")
            } else {
                #expect(abs(value - exact) <= exact / 128, "\(milliseconds) ms")
            }
        }
        #expect(TimeToEnrollBuckets.representativeSeconds(of: 1024) == 1032)
        #expect(TimeToEnrollBuckets.representativeSeconds(of: 4096) == 4128)
    }
}
