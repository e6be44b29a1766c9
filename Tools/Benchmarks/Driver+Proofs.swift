import Foundation

extension Driver {
    /// The proofs' rows: the tree's share of the ingest, then ``measureProofChecks(main:events:read:rebuild:haveCLI:)``.
    mutating func measureProofs(
        main: String, events: Double, ingest: [String: Double], read: [String: Double], rebuild: [String: Double],
        haveCLI: Bool
    ) throws {
        log("proofs: the tree's work alone × \(parameters.runs)")
        let tree = try medians(["tree-cost", "--store", main])
        let treeSeconds = tree["seconds"] ?? 0
        let without = max((ingest["seconds"] ?? 0) - treeSeconds, 1e-9)
        report.add(
            "Merkle tree's work in the ingest (leaf RFC 8785 + SHA-256 + node rows, timed alone)", treeSeconds,
            unit: "s", baseline: "the rest of the same ingest", without, higherIsBetter: false,
            goal: "≥ 10 (adds ≤ 10%)",
            met: treeSeconds / without <= 0.10)
        report.raw["tree_cost"] = tree
        try measureProofChecks(main: main, events: events, read: read, rebuild: rebuild, haveCLI: haveCLI)
    }

    /// `verify` (chain, tree, checkpoints) against the chain-only walk it was before the tree, `verify
    /// --projections` against a rebuild, and one user's export with proofs end to end against the same
    /// export without them, all in this run.
    mutating func measureProofChecks(
        main: String, events: Double, read: [String: Double], rebuild: [String: Double], haveCLI: Bool
    ) throws {
        let p = parameters
        log("proofs: verify, the chain-only walk, verify --projections × \(p.runs)")
        let chain = try medians(["verify-chain", "--store", main])
        let verify = try medians(["verify", "--store", main])
        let verifyRate = verify["events_per_second"] ?? 0
        let chainRate = chain["events_per_second"] ?? 0
        report.add(
            "`verify`: chain, Merkle tree, checkpoints (\(Report.count(events)) events)", verifyRate,
            unit: "events/s", baseline: "the chain-only walk (`verify` before the tree)", chainRate,
            higherIsBetter: true, goal: "≥ 0.67 (within 1.5×)", met: verifyRate * 1.5 >= chainRate)
        let projections = try medians(["verify-projections", "--store", main])
        report.add(
            "`verify --projections`: rebuild into a scratch file and compare", projections["events_per_second"] ?? 0,
            unit: "events/s", baseline: "rebuild all projections in place", rebuild["events_per_second"] ?? 0,
            higherIsBetter: true, goal: "(report)")
        report.raw["verify_chain"] = chain
        report.raw["verify"] = verify
        report.raw["verify_projections"] = projections
        report.raw["read"] = report.raw["read"] ?? read
        guard haveCLI else { return }
        log("export of one user with proofs, end to end, \(p.cliRuns) runs of each variant")
        let key = "\(p.directory)/bench.key"
        for suffix in ["", ".pub"] { try? FileManager.default.removeItem(atPath: key + suffix) }
        _ = try Stats.time(p.cli, ["keygen", "--origin", "bench.example/audit", "--out", key])
        _ = try Stats.time(p.cli, ["checkpoint", "--store", main, "--key", key])
        let users = try ProofMeasurements.sampleUsers(store: main, count: 10)
        var signed: [Double] = []
        var latest: [Double] = []
        var plain: [Double] = []
        var start: [Double] = []
        let out = "\(p.directory)/one.ndjson"
        for run in 0..<p.cliRuns {
            let base = ["export", "--store", main, "--user", users[run % users.count], "--force", "-o", out]
            signed.append(try Stats.time(p.cli, base + ["--key", key]) * 1000)
            latest.append(try Stats.time(p.cli, base) * 1000)
            plain.append(try Stats.time(p.cli, base + ["--no-proof"]) * 1000)
            start.append(try Stats.time(p.cli, ["--version"]) * 1000)
        }
        let p50 = Stats.percentile(signed, 50)
        let plainP50 = Stats.percentile(plain, 50)
        report.add(
            "`export --user U --key KEY` (proofs, a new signed checkpoint), end to end, p50", p50, unit: "ms",
            baseline: "`export --user U --no-proof`", plainP50, higherIsBetter: false,
            goal: "< 50 ms at 1M events", met: p50 < 50)
        report.add(
            "`export --user U` (proofs against the latest checkpoint), end to end, p50",
            Stats.percentile(latest, 50), unit: "ms", baseline: "`export --user U --no-proof`", plainP50,
            higherIsBetter: false, goal: "(report)")
        report.raw["export_proofs_cli"] = [
            "p50_ms": p50, "p99_ms": Stats.percentile(signed, 99), "latest_p50_ms": Stats.percentile(latest, 50),
            "plain_p50_ms": plainP50, "process_start_p50_ms": Stats.percentile(start, 50),
        ]
    }
}

/// `enroll-audit-bench proofs-at --store PATH`: only the proofs' checks of `run` (verify against the
/// chain-only walk, verify --projections against a rebuild, one user's export with proofs), on a store
/// that already exists, e.g. one of 1,000,000 events ingested once.
enum ProofScale {
    static func run(store: String, runs: Int, cliRuns: Int, markdown: Bool, json: String?) throws {
        var parameters = Driver.Parameters()
        parameters.runs = runs
        parameters.cliRuns = cliRuns
        parameters.directory = URL(fileURLWithPath: store).deletingLastPathComponent().path
        var driver = Driver(parameters)
        let events = Double(try Measurements.openReadOnly(store).head().position)
        driver.report.parameters = ["events": events, "runs": Double(runs), "cli_runs": Double(cliRuns)]
        driver.log("proofs on \(store): \(Int(events)) events; read and rebuild × \(runs)")
        let read = try driver.medians(["read", "--store", store])
        let rebuild = try driver.medians(["rebuild", "--store", store])
        driver.report.raw["read"] = read
        driver.report.raw["rebuild"] = rebuild
        try driver.measureProofChecks(
            main: store, events: events, read: read, rebuild: rebuild,
            haveCLI: FileManager.default.isExecutableFile(atPath: driver.parameters.cli))
        driver.report.finished = Date()
        print(markdown ? driver.report.markdownRows() : driver.report.textTable())
        if let json { try driver.report.writeJSON(to: json) }
    }
}
