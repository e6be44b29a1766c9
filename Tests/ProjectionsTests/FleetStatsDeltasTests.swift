import GRDB
import TestSupport
import Testing

@testable import Projections

/// The `device_status` writer's deltas of the `fleet_stats` aggregate: the keys it computes in Swift are
/// the ones SQL computes (a rebuild counts in SQL, the writer in Swift, and both must land on the same
/// rows), and writing them moves the counts, deleting those that reach 0.
struct FleetStatsDeltasTests {
    static let day: Int64 = 86_400_000

    static let rows: [FleetStatsDeltas.Row] = {
        var random = SeededGenerator(seed: 13)
        let times: [Int64] = [0, -1, -day, -day - 1, day - 1, day, 1_764_547_200_000, 1_764_633_599_999]
        let failures: [(String?, String?)] = [(nil, nil), (nil, "ignored"), ("jit_registration", nil), ("sso", "mdm")]
        var rows: [FleetStatsDeltas.Row] = []
        for (index, firstSeen) in times.enumerated() {
            for failure in failures {
                rows.append(
                    .init(
                        firstSeen: firstSeen, state: index.isMultiple(of: 2) ? "failed" : "enrolled",
                        stepIndex: Int64(index % 8) - 1, failureStep: failure.0, failureReason: failure.1,
                        timeToEnrollMilliseconds: index == 3 ? nil : Int64(index) * 1_000))
            }
        }
        for milliseconds in TimeToEnrollBucketsTests.samples + [-1, -999, -1_000, -5_000_000, Int64.max] {
            rows.append(
                .init(
                    firstSeen: Int64.random(in: -3 * day...3 * day, using: &random), state: "enrolled", stepIndex: 6,
                    failureStep: nil, failureReason: nil, timeToEnrollMilliseconds: milliseconds))
        }
        return rows
    }()

    @Test func theWritersKeysAreTheKeysSQLComputes() throws {
        let key = FleetStatsTables.countKey(prefix: "")
        let sql = """
            WITH t(first_seen, state, step_index, failure_step, failure_reason, ms) AS (VALUES (?, ?, ?, ?, ?, ?))
            SELECT \(key.joined(separator: ", ")), \(TimeToEnrollBuckets.sql(milliseconds: "ms")) FROM t
            """
        try DatabaseQueue().read { db in
            for row in Self.rows {
                let expected = try #require(
                    try Row.fetchOne(
                        db, sql: sql,
                        arguments: [
                            row.firstSeen, row.state, row.stepIndex, row.failureStep, row.failureReason,
                            row.timeToEnrollMilliseconds,
                        ]))
                let counted = FleetStatsDeltas.CountKey(row)
                #expect(counted.day == expected[0] as Int64, "\(row)")
                #expect(counted.state == expected[1] as String)
                #expect(counted.stepIndex == expected[2] as Int64)
                #expect(counted.failureStep == expected[3] as String, "\(row)")
                #expect(counted.failureReason == expected[4] as String, "\(row)")
                #expect(row.timeToEnrollMilliseconds.map(TimeToEnrollBuckets.bucket) == expected[5] as Int64?, "\(row)")
            }
        }
    }

    @Test func writingTheDeltasMovesTheCountsAndDeletesThoseThatReachZero() throws {
        let database = try DatabaseQueue()
        func aggregate() throws -> [String] {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM fleet_stats ORDER BY 1, 2, 3, 4, 5").map {
                    "\($0[0] as Int64) \($0[1] as String) \($0[2] as Int64) \($0[5] as Int64)"
                }
                    + Row.fetchAll(db, sql: "SELECT * FROM fleet_stats_time_to_enroll ORDER BY 1, 2").map {
                        "time \($0[0] as Int64) \($0[1] as Int64) \($0[2] as Int64)"
                    }
            }
        }
        func row(_ firstSeen: Int64, _ state: String, _ time: Int64?) -> FleetStatsDeltas.Row {
            .init(
                firstSeen: firstSeen, state: state, stepIndex: 3, failureStep: nil, failureReason: nil,
                timeToEnrollMilliseconds: time)
        }
        try database.write { db in
            try db.execute(sql: DeviceStatusProjection.schema + FleetStatsTables.schema)
            var deltas = FleetStatsDeltas()
            for _ in 0..<3 { deltas.add(row(0, "enrolled", 5_000), sign: 1) }
            deltas.add(row(Self.day, "failed", nil), sign: 1)
            deltas.add(row(Self.day, "failed", nil), sign: -1)
            deltas.add(row(-1, "failed", 2_000), sign: 1)
            try deltas.write(db)
        }
        #expect(try aggregate() == ["-1 failed 3 1", "0 enrolled 3 3", "time -1 2 1", "time 0 5 3"])
        try database.write { db in
            var deltas = FleetStatsDeltas()
            deltas.add(row(-1, "failed", 2_000), sign: -1)
            deltas.add(row(0, "enrolled", 5_000), sign: -1)
            deltas.add(row(0, "in_progress", nil), sign: 1)
            try deltas.write(db)
        }
        #expect(try aggregate() == ["0 enrolled 3 2", "0 in_progress 3 1", "time 0 5 2"])
    }

    @Test func uncountingARowTheAggregateDoesNotHoldFails() throws {
        let database = try DatabaseQueue()
        try database.write { db in
            try db.execute(sql: DeviceStatusProjection.schema + FleetStatsTables.schema)
        }
        #expect(throws: DatabaseError.self) {
            try database.write { db in
                var deltas = FleetStatsDeltas()
                deltas.add(
                    .init(
                        firstSeen: 0, state: "failed", stepIndex: 2, failureStep: nil, failureReason: nil,
                        timeToEnrollMilliseconds: nil), sign: -1)
                try deltas.write(db)
            }
        }
    }
}
