import FleetSimulator
import Foundation

/// `enroll-audit-bench run`: every scenario, each figure the median of several runs in child processes,
/// each set beside a baseline measured in the same run, as a ratio.
struct Driver {
    struct Parameters {
        /// Events of the main data set: ingest, rebuild, export, queries, storage, memory (large size).
        var events = 1_000_000
        /// Events of the small data set of the memory comparison. 0: a fifth of `events`.
        var smallEvents = 0
        /// Runs of each measurement (the median is reported).
        var runs = 3
        /// Runs of each CLI query (p50/p99 over them).
        var cliRuns = 15
        /// Iterations of each in-process query.
        var queryIterations = 200
        /// Durable single appends per run.
        var singleAppends = 200
        /// The whole run should take at most this many seconds: when the measured ingest rate says the
        /// main size would not fit, the main size falls back to one that does (0: never).
        var budgetSeconds = 500.0
        var directory = ".build/bench"
        /// Where the table goes between markers ("" to skip).
        var doc = ""
        /// Where the JSON goes ("" to skip).
        var json = ""
        var cli = ""
        var ceiling = ""
        /// The peers' rows (Python eventsourcing, PostgreSQL, 4 writers): `--no-peers` leaves them out.
        var peers = true
        /// Runs of each peer row (each is one or two ingests of the main size; default 1).
        var peerRuns = 1
        /// `Tools/eventsourcing-peer.py` ("" to look for it in the checkout).
        var peerScript = ""
        /// Events the 4 concurrent PostgreSQL writers append (and the single writer they are set beside).
        var writerEvents = 200_000
        /// `--scale full`: also the ingest's peak RSS at `fullEvents` (one more ingest, tens of minutes).
        var scaleFull = false
        var fullEvents = 10_000_000
    }

    var parameters: Parameters
    let me = CommandLine.arguments[0]
    var report = Report()

    init(_ parameters: Parameters) {
        self.parameters = parameters
        let directory = URL(fileURLWithPath: me).deletingLastPathComponent().path
        if self.parameters.cli.isEmpty { self.parameters.cli = "\(directory)/enroll-audit" }
        if self.parameters.ceiling.isEmpty { self.parameters.ceiling = "\(directory)/sqlite-ceiling" }
        if self.parameters.smallEvents <= 0 { self.parameters.smallEvents = max(1, parameters.events / 5) }
    }

    func log(_ message: String) {
        let elapsed = String(format: "%6.1f s", Date().timeIntervalSince(report.started))
        try? FileHandle.standardError.write(contentsOf: Data("[bench \(elapsed)] \(message)\n".utf8))
    }

    /// `runs` runs of a child measurement: every key's median.
    func medians(_ arguments: [String], runs: Int? = nil, executable: String? = nil) throws -> [String: Double] {
        var samples: [String: [Double]] = [:]
        for _ in 0..<(runs ?? parameters.runs) {
            for (key, value) in try Stats.child(executable ?? me, arguments) { samples[key, default: []].append(value) }
        }
        return samples.mapValues(Stats.median)
    }

    /// How many simulator users give about `events` native events.
    static func users(forAbout events: Int) -> Int {
        var sample = 0
        FleetSimulator(seed: 42, users: 2_000).forEachAttempt { sample += $0.events.count }
        return max(1, Int((Double(events) * 2_000 / Double(max(1, sample))).rounded()))
    }

    /// The queries on `main`: in process, and end to end through the CLI (process start included).
    mutating func measureQueries(on main: String, haveCLI: Bool) throws {
        log("queries in process")
        let ids = try QueryMeasurements.sampleIDs(store: main, count: 50)
        let inProcess = try medians([
            "queries", "--store", main, "--iterations", "\(parameters.queryIterations)", "--ids",
            ids.joined(separator: ","),
        ])
        report.raw["queries"] = inProcess
        let queryNames = [
            ("show", "show <attempt id>"), ("timeline", "timeline <attempt id>"),
            ("devices", "devices --state failed --limit 50"), ("stats", "stats"),
        ]
        for (key, label) in queryNames {
            for percentile in ["p50", "p99"] {
                report.add(
                    "Query `\(label)`, in process, \(percentile)", inProcess["\(key)_\(percentile)_ms"] ?? 0,
                    unit: "ms", baseline: "point read of one event by id", inProcess["lookup_\(percentile)_ms"] ?? 0,
                    higherIsBetter: false, goal: "(report)")
            }
        }
        if haveCLI {
            log("queries through the CLI, \(parameters.cliRuns) runs each")
            var baseline: [Double] = []
            for _ in 0..<parameters.cliRuns { baseline.append(try Stats.time(parameters.cli, ["--version"]) * 1000) }
            let commands: [(String, [String])] = [
                ("show", ["show", ids[0]]), ("timeline", ["timeline", ids[ids.count / 2]]),
                ("devices", ["devices", "--state", "failed", "--limit", "50"]), ("stats", ["stats"]),
            ]
            var cliRaw: [String: Double] = [
                "version_p50_ms": Stats.percentile(baseline, 50), "version_p99_ms": Stats.percentile(baseline, 99),
            ]
            for ((key, label), (_, arguments)) in zip(queryNames, commands) {
                var latencies: [Double] = []
                for run in 0..<parameters.cliRuns {
                    var arguments = arguments
                    if key == "show" || key == "timeline" {
                        arguments[1] = ids[(run * 7 + (key == "show" ? 0 : 3)) % ids.count]
                    }
                    latencies.append(try Stats.time(parameters.cli, arguments + ["--store", main]) * 1000)
                }
                cliRaw["\(key)_p50_ms"] = Stats.percentile(latencies, 50)
                cliRaw["\(key)_p99_ms"] = Stats.percentile(latencies, 99)
                for percentile in ["p50", "p99"] {
                    let value = cliRaw["\(key)_\(percentile)_ms"] ?? 0
                    report.add(
                        "`enroll-audit \(label)`, end to end, \(percentile)", value, unit: "ms",
                        baseline: "`enroll-audit --version`", cliRaw["version_\(percentile)_ms"] ?? 0,
                        higherIsBetter: false, goal: "< 100 ms", met: value < 100)
                }
            }
            report.raw["queries_cli"] = cliRaw
        }
    }

    mutating func run() throws {
        let p = parameters
        let dir = p.directory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        report.parameters = [
            "events": Double(p.events), "small_events": Double(p.smallEvents), "runs": Double(p.runs),
            "cli_runs": Double(p.cliRuns), "single_appends": Double(p.singleAppends),
        ]
        let haveCeiling = FileManager.default.isExecutableFile(atPath: p.ceiling)
        let haveCLI = FileManager.default.isExecutableFile(atPath: p.cli)
        let haveLZ4 = !Stats.shellOutput("command -v lz4").isEmpty

        // The small data set first: its ingests are the memory baseline and measure this machine's rate now.
        let smallNative = "\(dir)/native-small.ndjson"
        log("generating about \(p.smallEvents) events for the small size; ingest × \(p.runs)")
        _ = try Stats.child(
            me, ["generate", "--users", "\(Self.users(forAbout: p.smallEvents))", "--out", smallNative])
        let small = "\(dir)/store-small.sqlite"
        let smallIngest = try medians(["ingest", "--store", small, "--compression", "lz4-dictionary", smallNative])
        let smallEventCount = smallIngest["events"] ?? 0
        report.requestedEvents = p.events
        var mainEvents = p.events
        if p.budgetSeconds > 0, let rate = smallIngest["events_per_second"], rate > 0 {
            // Everything after this point costs about (6.1 × runs + 2.5) ingests of the main size (measured: per
            // run 1 ingest, 0.65 webhook ingest, 0.5 C programs, 1.05 rebuild and read, 0.5 exports, 0.35 memory
            // rows, ~2 for the proofs' rows (tree alone, verify, verify --projections); once, ~2 for the rows with
            // a small writer cache), plus ~60 s of queries and the rest. The peers' rows cost about 5 ingests
            // of the main size per peer run (the Python peer twice, the copy into PostgreSQL, the appends), and
            // the PostgreSQL query rows one more (their copy into PostgreSQL; estimated from the copy's rate).
            let remaining = p.budgetSeconds - Date().timeIntervalSince(report.started) - 60
            let peers = p.peers ? 5 * Double(p.peerRuns) + 1 : 0
            let fits = Int(max(0, remaining) * rate / (6.1 * Double(p.runs) + 2.5 + peers))
            if fits < mainEvents {
                mainEvents = max(2 * Int(smallEventCount), fits / 50_000 * 50_000)
                report.fallback =
                    "fell back from \(Report.count(Double(p.events))) to \(Report.count(Double(mainEvents))) events "
                    + "to stay within the \(Int(p.budgetSeconds)) s budget (ingest ran at "
                    + "\(Report.count(rate)) events/s on the small size)"
                log("note: \(report.fallback)")
            }
        }

        // Data: the seeded simulator's native NDJSON and NanoMDM webhook lines.
        let native = "\(dir)/native.ndjson"
        let webhooks = "\(dir)/webhooks.ndjson"
        log("generating about \(mainEvents) events and their webhook lines")
        let generated = try Stats.child(
            me, ["generate", "--users", "\(Self.users(forAbout: mainEvents))", "--out", native, "--webhooks", webhooks])
        let events = generated["events"] ?? 0
        report.parameters["native_events"] = events
        report.parameters["webhook_lines"] = generated["webhook_lines"] ?? 0
        report.parameters["small_events"] = smallEventCount

        // Ingest: the project's bulk ingest against the tuned C ceiling on the same events.
        let main = "\(dir)/store-main.sqlite"
        log("ingest native NDJSON × \(p.runs) (lz4-dictionary, hash chain, projections inline)")
        let ingest = try medians(["ingest", "--store", main, "--compression", "lz4-dictionary", native])
        let records = "\(dir)/records.bin"
        _ = try Stats.child(me, ["records", "--store", main, "--out", records])
        let ceilingStore = "\(dir)/ceiling.sqlite"
        if haveCeiling {
            log("C ceiling: tuned and naive × \(p.runs)")
            let tuned = try medians(["tuned", records, ceilingStore], executable: p.ceiling)
            // The naive variant is slow (it is there for scale): it runs on the first events of the file only,
            // beside the tuned program on the same events.
            let naiveCount = "\(Int(smallEventCount))"
            let naive = try medians(["naive", records, ceilingStore, naiveCount], executable: p.ceiling)
            let tunedSame = try medians(["tuned", records, ceilingStore, naiveCount], executable: p.ceiling)
            let rate = ingest["events_per_second"] ?? 0
            report.add(
                "Ingest, native NDJSON (\(Report.count(events)) events)", rate, unit: "events/s",
                baseline: "tuned C ceiling", tuned["events_per_second"] ?? 0, higherIsBetter: true,
                goal: "≥ 0.5 and ≥ 100,000 events/s",
                met: rate / (tuned["events_per_second"] ?? 1) >= 0.5
                    && rate >= 100_000)
            report.add(
                "Naive C (2 MB cache, 1,000/txn, text stream ids; first \(Report.count(smallEventCount)) events)",
                naive["events_per_second"] ?? 0, unit: "events/s", baseline: "tuned C ceiling, same events",
                tunedSame["events_per_second"] ?? 0, higherIsBetter: true, goal: "(scale)")
            report.raw["ceiling_tuned"] = tuned
            report.raw["ceiling_naive"] = naive
            report.raw["ceiling_tuned_same_as_naive"] = tunedSame
        }
        report.raw["ingest"] = ingest
        // What building the log's UNIQUE indexes after a load into an empty store would save (issue 13).
        log("the events rows loaded with their UNIQUE indexes inline, and with them built after the load")
        let indexCost = try medians(["index-cost", "--store", main, "--runs", "1"], runs: 1)
        report.add(
            "Load of the events rows, UNIQUE indexes built sorted after it (CPU time)",
            indexCost["deferred_cpu_seconds"] ?? 0, unit: "s", baseline: "the same load, indexes inline",
            indexCost["inline_cpu_seconds"] ?? 0, higherIsBetter: false, goal: "(report)")
        report.raw["index_cost"] = indexCost
        try measureWebhooks(webhooks: webhooks, haveCeiling: haveCeiling)

        if haveCeiling { try measureSingle(native: native, records: records) }

        try measureQueries(on: main, haveCLI: haveCLI)
        if haveCLI && p.peers { try measurePostgresQueries(main: main, events: events) }

        let (read, rebuild) = try measureRebuild(main: main, events: events)
        try measureProofs(main: main, events: events, ingest: ingest, read: read, rebuild: rebuild, haveCLI: haveCLI)

        // Export: --lz4 against piping the NDJSON export through the real lz4 CLI.
        var export: [String: Double] = [:]
        if haveCLI && haveLZ4 {
            log("export --lz4 and export | lz4 -c, × \(p.runs) each")
            var ours: [Double] = []
            var piped: [Double] = []
            let cli = Report.shellQuoted(p.cli)
            let store = Report.shellQuoted(main)
            for _ in 0..<p.runs {
                // `--force`: the run before left its file there, and `-o` replaces a file only when told to.
                ours.append(
                    try Stats.timeShell(
                        "\(cli) export --store \(store) --lz4 --force -o \(Report.shellQuoted(dir))/export.lz4"))
                piped.append(
                    try Stats.timeShell(
                        "\(cli) export --store \(store) | lz4 -c > \(Report.shellQuoted(dir))/export-pipe.lz4"))
            }
            export = [
                "seconds": Stats.median(ours), "pipe_seconds": Stats.median(piped),
                "bytes": Double(Measurements.fileSize("\(dir)/export.lz4")),
                "pipe_bytes": Double(Measurements.fileSize("\(dir)/export-pipe.lz4")),
            ]
            report.add(
                "Export `--lz4` (\(Report.count(events)) events)", events / export["seconds"]!, unit: "events/s",
                baseline: "`enroll-audit export | lz4 -c`", events / export["pipe_seconds"]!, higherIsBetter: true,
                goal: "≥ 0.7", met: export["pipe_seconds"]! / export["seconds"]! >= 0.7)
            report.raw["export_cli"] = export
        }

        // Memory: peak RSS of ingest, rebuild and export at two sizes.
        log("memory: rebuild and export at \(Report.count(smallEventCount)) events × \(p.runs)")
        let smallRebuild = try medians(["rebuild", "--store", small])
        let smallExport = try medians(["export", "--store", small, "--out", "\(dir)/export-small.lz4", "--lz4"])
        let largeExport = try medians(["export", "--store", main, "--out", "\(dir)/export-inprocess.lz4", "--lz4"])
        // The same with a 2 MiB page cache: what is left when SQLite's cache (64 MiB by default) is not counted.
        let smallExportSmallCache = try medians([
            "export", "--store", small, "--out", "\(dir)/export-small.lz4", "--lz4", "--cache-kib", "2048",
        ])
        let largeExportSmallCache = try medians([
            "export", "--store", main, "--out", "\(dir)/export-inprocess.lz4", "--lz4", "--cache-kib", "2048",
        ])
        for (name, large, smallValues) in [
            ("ingest", ingest, smallIngest), ("rebuild", rebuild, smallRebuild),
            ("export --lz4", largeExport, smallExport),
            ("export --lz4 (2 MiB page cache)", largeExportSmallCache, smallExportSmallCache),
        ] {
            report.add(
                "Peak RSS, \(name), \(Report.count(events)) events", large["peak_rss_mib"] ?? 0, unit: "MiB",
                baseline: "same at \(Report.count(smallEventCount)) events", smallValues["peak_rss_mib"] ?? 0,
                higherIsBetter: false, goal: "flat (≤ 1.25)",
                met: (large["peak_rss_mib"] ?? 0) / (smallValues["peak_rss_mib"] ?? 1) <= 1.25)
        }
        // SQLite's page caches fill up to their configured bounds (256 MiB for the writer), and the
        // allocator's overhead grows with them: the same runs with a 16 MiB writer cache show the rest.
        log("memory: ingest and rebuild with a 16 MiB writer page cache at both sizes")
        let smallCache = ["--writer-cache-kib", "16384"]
        var smallCacheRuns: [String: [String: Double]] = [:]
        for (name, store, input) in [("small", small, smallNative), ("main", main, native)] {
            smallCacheRuns["ingest_\(name)"] = try medians(
                ["ingest", "--store", "\(dir)/store-cache.sqlite"] + smallCache + [input], runs: 1)
            smallCacheRuns["rebuild_\(name)"] = try medians(["rebuild", "--store", store] + smallCache, runs: 1)
        }
        for name in ["ingest", "rebuild"] {
            let large = smallCacheRuns["\(name)_main"]?["peak_rss_mib"] ?? 0
            let smallValue = smallCacheRuns["\(name)_small"]?["peak_rss_mib"] ?? 0
            report.add(
                "Peak RSS, \(name) (16 MiB writer page cache), \(Report.count(events)) events", large, unit: "MiB",
                baseline: "same at \(Report.count(smallEventCount)) events", smallValue, higherIsBetter: false,
                goal: "flat (≤ 1.25)", met: large / max(smallValue, 1) <= 1.25)
        }
        for (key, values) in smallCacheRuns { report.raw["\(key)_cache_16mib"] = values }
        report.raw["ingest_small"] = smallIngest
        report.raw["rebuild_small"] = smallRebuild
        report.raw["export_small"] = smallExport
        report.raw["export_inprocess"] = largeExport
        report.raw["export_small_cache_2mib"] = smallExportSmallCache
        report.raw["export_inprocess_cache_2mib"] = largeExportSmallCache

        // Storage: bytes per event of the events table (and its indexes) per compression, against the input,
        // on the small data set (bytes per event hardly depend on the size).
        log("storage: ingest the small data set with compression none and lz4 (no projections)")
        let inputPerEvent = Double(Measurements.fileSize(smallNative)) / max(1, smallEventCount)
        var storage: [String: Double] = ["input_bytes_per_event": inputPerEvent]
        for compression in ["none", "lz4", "lz4-dictionary"] {
            let values: [String: Double]
            if compression == "lz4-dictionary" {
                values = smallIngest
            } else {
                values = try Stats.child(
                    me,
                    [
                        "ingest", "--store", "\(dir)/store-\(compression).sqlite", "--compression", compression,
                        "--no-projections", smallNative,
                    ])
            }
            let tableBytes = values["events_table_bytes"] ?? -1
            let perEvent = (tableBytes > 0 ? tableBytes : values["store_bytes"] ?? 0) / max(1, smallEventCount)
            storage["\(compression)_bytes_per_event"] = perEvent
            storage["\(compression)_file_bytes_per_event"] = (values["store_bytes"] ?? 0) / max(1, smallEventCount)
            report.add(
                "Storage, compression \(compression)", perEvent, unit: "bytes/event",
                baseline: "NDJSON input", inputPerEvent, higherIsBetter: false, goal: "(report)")
        }
        if haveCeiling, let tuned = report.raw["ceiling_tuned"] {
            let perEvent = (tuned["store_bytes"] ?? 0) / max(1, events)
            let inputPerEvent = Double(Measurements.fileSize(native)) / max(1, events)
            storage["ceiling_bytes_per_event"] = perEvent
            report.add(
                "Storage, tuned C ceiling (no compression, fewer columns)", perEvent, unit: "bytes/event",
                baseline: "NDJSON input", inputPerEvent, higherIsBetter: false, goal: "(scale)")
        }
        report.raw["storage"] = storage
        if p.peers { try measurePeers(native: native, main: main, ingest: ingest, events: events) }
        if p.scaleFull { try measureFullScaleRSS(ingest: ingest, events: events) }
        try measureServe(webhooks: webhooks, haveCLI: haveCLI)
        try measureConsole(store: main, haveCLI: haveCLI)
        report.finished = Date()
        log("done")
        print(report.textTable())
        if !p.doc.isEmpty { try report.writeMarkdown(into: p.doc) }
        if !p.json.isEmpty { try report.writeJSON(to: p.json) }
    }
}
