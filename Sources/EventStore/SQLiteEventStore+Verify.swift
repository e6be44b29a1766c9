import EnrollmentDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// The triggers that make `events`, `streams` and `payload_dictionaries` append-only.
    static let appendOnlyTriggers: Set<String> = [
        "events_refuse_update", "events_refuse_delete", "streams_refuse_update", "streams_refuse_delete",
        "payload_dictionaries_refuse_update", "payload_dictionaries_refuse_delete", "merkle_nodes_refuse_update",
        "merkle_nodes_refuse_delete", "checkpoints_refuse_update", "checkpoints_refuse_delete",
    ]

    /// Walks the whole chain, recomputing every hash and the Merkle tree, in constant memory.
    ///
    /// Every leaf and node of the stored tree is compared with the one recomputed from the events, and
    /// every recorded checkpoint must be signed by its key and be a checkpoint of this tree.
    /// Detects a changed row (any hashed column, and a `known_type` flag set on a type the catalogue does
    /// not know), a deleted or inserted row (a gap, or a broken link), and reordered rows. A truncated tail or a whole file replaced by an older copy leaves a valid chain:
    /// only comparing the head digest with one kept elsewhere (`expectedDigest`) catches those.
    ///
    /// - Parameters:
    ///   - expectedDigest: a head hash written down earlier; the report fails when the chain does not pass
    ///     through it at `expectedPosition`.
    ///   - expectedPosition: where that digest was taken (`nil`: it must be the current head).
    ///   - progress: called every 65,536 events with the position reached.
    public func verify(
        expectedDigest: String? = nil, expectedPosition: Int64? = nil, progress: ((Int64) -> Void)? = nil
    ) throws -> VerifyReport {
        try translatingErrors {
            try pool.read { db in
                let triggers = try Set(
                    String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                var report = VerifyReport(
                    events: 0, headPosition: 0, headHash: EventHashing.genesis.hexString,
                    triggersIntact: Self.appendOnlyTriggers.isSubset(of: triggers))
                let tree = TreeVerifier(db)
                var previous = EventHashing.genesis
                var expected: Int64 = 1
                var hashAtExpectedPosition: String?
                func fail(_ position: Int64, _ problem: String) {
                    report.firstBadPosition = position
                    report.problem = problem
                }
                // `known_type` (column 16) is not hashed: it is checked against the catalogue instead.
                let rows = try Row.fetchCursor(
                    db,
                    sql: EventRowDecoder.selectColumns.replacingOccurrences(
                        of: "JOIN streams", with: "LEFT JOIN streams"
                    ).replacingOccurrences(of: "e.payload, e.hash", with: "e.payload, e.hash, e.known_type")
                        + " ORDER BY e.position")
                let decoder = EventRowDecoder(codec: codec)
                while let row = try rows.next() {
                    let position = Int64.fromDatabaseValue(row[0] as DatabaseValue) ?? -1
                    guard position == expected else {
                        fail(
                            expected,
                            position > expected ? "event at position \(expected) is missing" : "positions out of order")
                        break
                    }
                    let decoded: EventRowDecoder.Decoded
                    do {
                        decoded = try decoder.decode(row)
                    } catch {
                        fail(position, "\(error)")
                        break
                    }
                    let recorded = decoded.recorded
                    let canonical = EventHashing.canonicalBytes(
                        position: position, version: recorded.version, recordedAt: recorded.recordedAt,
                        event: recorded.event, data: decoded.data)
                    let hash = EventHashing.chain(previous: previous, canonical: canonical)
                    guard hash == recorded.hash else {
                        fail(position, "the hash at position \(position) does not match its content and predecessor")
                        break
                    }
                    // A type the catalogue does not know cannot have been flagged known when it was recorded (the
                    // catalogue only grows; the other way round, an older version's "unknown" is legitimate).
                    if Int64.fromDatabaseValue(row[16] as DatabaseValue) == 1 && !recorded.event.isKnownType {
                        fail(
                            position,
                            "position \(position) is flagged as a known type, but '\(recorded.event.type)' is not")
                        break
                    }
                    let leafHash = EventLeaf.hash(
                        position: position, version: recorded.version, recordedAt: recorded.recordedAt, hash: hash,
                        event: recorded.event, data: decoded.data)
                    if let problem = try tree.append(leafHash: leafHash) {
                        fail(position, problem)
                        break
                    }
                    if position == expectedPosition { hashAtExpectedPosition = hash.hexString }
                    previous = hash
                    report.events += 1
                    report.headPosition = position
                    expected += 1
                    if position & 0xFFFF == 0 { progress?(position) }
                }
                // The head's hex digest once, not per event.
                report.headHash = previous.hexString
                if report.problem == nil {
                    let (problem, checkpoints) = try tree.finish()
                    report.problem = problem
                    report.checkpoints = checkpoints
                }
                report.tree = tree.head
                report.finish(
                    expectedDigest: expectedDigest, expectedPosition: expectedPosition,
                    hashAtExpectedPosition: hashAtExpectedPosition, medium: "file")
                return report
            }
        }
    }
}
