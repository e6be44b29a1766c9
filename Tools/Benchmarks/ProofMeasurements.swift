import EnrollmentDomain
import EventStore
import Foundation
import GRDB

/// The measurements of the proofs (docs/proofs.md): the Merkle tree's share of an ingest, and the cost of
/// `verify --projections`.
enum ProofMeasurements {
    /// The tree's work of an ingest, on its own: for every stored event in order, its leaf (RFC 8785) and
    /// leaf hash, the frontier and the node rows written with the append path's own writer into a
    /// scratch `merkle_nodes`, in one transaction. Only that work is timed (reading the events is not).
    static func treeCost(store path: String) throws {
        let store = try Measurements.openReadOnly(path)
        let scratch = path + ".tree.sqlite"
        Measurements.removeStore(scratch)
        defer { Measurements.removeStore(scratch) }
        let queue = try DatabaseQueue(path: scratch)
        var seconds = 0.0
        var count: Int64 = 0
        var root: [UInt8] = []
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE merkle_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
                        PRIMARY KEY (level, idx)) WITHOUT ROWID
                    """)
            let writer = try MerkleTreeWriter(db)
            try store.forEachEvent { recorded in
                let data = recorded.event.canonicalData
                let started = DispatchTime.now().uptimeNanoseconds
                let leaf = EventLeaf.hash(
                    position: recorded.position, version: recorded.version, recordedAt: recorded.recordedAt,
                    hash: recorded.hash, event: recorded.event, data: data)
                try writer.append(leafHash: leaf, treeSize: count)
                seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                count += 1
                return true
            }
            root = writer.head.root
        }
        let stored = try store.treeHead()
        Measurements.report([
            "events": Double(count), "seconds": seconds, "events_per_second": Double(count) / max(seconds, 1e-9),
            "same_root": stored.root == root ? 1 : 0,
        ])
    }

    /// The chain-only walk `verify` was before the tree (the baseline of today's `verify`): every event read
    /// in position order, its canonical bytes rebuilt and its chain hash recomputed and compared.
    static func verifyChain(store path: String) throws {
        let store = try Measurements.openReadOnly(path)
        let started = Date()
        var previous = EventHashing.genesis
        var count: Int64 = 0
        var intact = true
        try store.forEachEvent { recorded in
            let canonical = EventHashing.canonicalBytes(
                position: recorded.position, version: recorded.version, recordedAt: recorded.recordedAt,
                event: recorded.event, data: recorded.event.canonicalData)
            let hash = EventHashing.chain(previous: previous, canonical: canonical)
            intact = hash == recorded.hash
            previous = hash
            count += 1
            return intact
        }
        let seconds = Date().timeIntervalSince(started)
        Measurements.report([
            "events": Double(count), "ok": intact ? 1 : 0, "seconds": seconds,
            "events_per_second": Double(count) / seconds, "peak_rss_mib": Measurements.peakRSSMiB(),
        ])
    }

    /// Users whose events to export: the `user` of one event in each of `count` sampled enrollments.
    static func sampleUsers(store path: String, count: Int) throws -> [String] {
        let streams = try QueryMeasurements.sampleIDs(store: path, count: count)
        let store = try Measurements.openReadOnly(path)
        return try store.read { db in
            try streams.compactMap { stream in
                try String.fetchOne(
                    db,
                    sql: """
                        SELECT e.user FROM events e JOIN streams s ON s.id = e.stream_id
                        WHERE s.name = ? AND e.user IS NOT NULL LIMIT 1
                        """, arguments: [stream])
            }
        }
    }

    /// `verify --projections`' rebuild and comparison, in process.
    static func verifyProjections(store path: String) throws {
        let store = try Measurements.openReadOnly(path)
        let started = Date()
        let check = try store.verifyProjections()
        let seconds = Date().timeIntervalSince(started)
        let events = Double(try store.head().position)
        Measurements.report([
            "events": events, "ok": check.ok ? 1 : 0, "rows": Double(check.rows), "seconds": seconds,
            "events_per_second": events / seconds, "peak_rss_mib": Measurements.peakRSSMiB(),
        ])
    }
}
