import Foundation

extension Driver {
    /// The proofs' rows: the tree's share of the ingest, `verify` (chain, tree, checkpoints), `verify
    /// --projections`, and a one-enrollment export with proofs end to end, each beside its baseline of the
    /// same run.
    mutating func measureProofs(
        main: String, events: Double, ingest: [String: Double], read: [String: Double], rebuild: [String: Double],
        haveCLI: Bool
    ) throws {
        let p = parameters
        log("proofs: the tree's work alone, verify and verify --projections × \(p.runs)")
        let tree = try medians(["tree-cost", "--store", main])
        let treeSeconds = tree["seconds"] ?? 0
        let without = max((ingest["seconds"] ?? 0) - treeSeconds, 1e-9)
        report.add(
            "Merkle tree's work in the ingest (leaf RFC 8785 + SHA-256 + node rows, timed alone)", treeSeconds,
            unit: "s", baseline: "the rest of the same ingest", without, higherIsBetter: false,
            goal: "≥ 10 (adds ≤ 10%)",
            met: treeSeconds / without <= 0.10)
        let verify = try medians(["verify", "--store", main])
        report.add(
            "`verify`: chain, Merkle tree, checkpoints (\(Report.count(events)) events)",
            verify["events_per_second"] ?? 0, unit: "events/s", baseline: "sequential read (`forEachEvent`)",
            read["events_per_second"] ?? 0, higherIsBetter: true, goal: "(report)")
        let projections = try medians(["verify-projections", "--store", main])
        report.add(
            "`verify --projections`: rebuild into a scratch file and compare", projections["events_per_second"] ?? 0,
            unit: "events/s", baseline: "rebuild all projections in place", rebuild["events_per_second"] ?? 0,
            higherIsBetter: true, goal: "(report)")
        report.raw["tree_cost"] = tree
        report.raw["verify"] = verify
        report.raw["verify_projections"] = projections
        guard haveCLI else { return }
        log("export of one enrollment with proofs, end to end, \(p.cliRuns) runs")
        let key = "\(p.directory)/bench.key"
        for suffix in ["", ".pub"] { try? FileManager.default.removeItem(atPath: key + suffix) }
        _ = try Stats.time(p.cli, ["keygen", "--origin", "bench.example/audit", "--out", key])
        let ids = try QueryMeasurements.sampleIDs(store: main, count: 10)
        var proven: [Double] = []
        var plain: [Double] = []
        for run in 0..<p.cliRuns {
            let id = ids[run % ids.count]
            let out = "\(p.directory)/one.ndjson"
            proven.append(
                try Stats.time(p.cli, ["export", "--store", main, "--id", id, "--key", key, "-o", out]) * 1000)
            plain.append(
                try Stats.time(p.cli, ["export", "--store", main, "--id", id, "--no-proof", "-o", out]) * 1000)
        }
        let p50 = Stats.percentile(proven, 50)
        report.add(
            "`export --id ID --key KEY` (proofs, a new signed checkpoint), end to end, p50", p50, unit: "ms",
            baseline: "`export --id ID --no-proof`", Stats.percentile(plain, 50), higherIsBetter: false,
            goal: "< 50 ms at 1M events", met: p50 < 50)
        report.raw["export_proofs_cli"] = [
            "p50_ms": p50, "p99_ms": Stats.percentile(proven, 99), "plain_p50_ms": Stats.percentile(plain, 50),
        ]
    }
}
