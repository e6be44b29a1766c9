import Foundation

extension Driver {
    /// The NanoMDM webhook ingest against the tuned C program writing the very same (decoded) events.
    ///
    /// The C program is the honest ceiling of a bulk ingest: the CLI's bulk ingest of the same bodies is
    /// this very measurement (a ratio of 1 by construction); it is the baseline of `serve`'s webhook row,
    /// where what is measured is the HTTP path.
    mutating func measureWebhooks(webhooks: String, haveCeiling: Bool) throws {
        let dir = parameters.directory
        let webhookStore = "\(dir)/store-webhooks.sqlite"
        log("ingest NanoMDM webhook lines × \(parameters.runs)")
        let webhookIngest = try medians([
            "ingest", "--store", webhookStore, "--compression", "lz4-dictionary", webhooks,
        ])
        report.raw["ingest_webhooks"] = webhookIngest
        guard haveCeiling else { return }
        let webhookRecords = "\(dir)/records-webhooks.bin"
        _ = try Stats.child(me, ["records", "--store", webhookStore, "--out", webhookRecords])
        log("C ceiling, tuned, on the webhook events × \(parameters.runs)")
        let tunedWebhooks = try medians(
            ["tuned", webhookRecords, "\(dir)/ceiling.sqlite"], executable: parameters.ceiling)
        let webhookRate = webhookIngest["events_per_second"] ?? 0
        report.add(
            "Ingest, NanoMDM webhooks (\(Report.count(webhookIngest["events"] ?? 0)) events)", webhookRate,
            unit: "events/s", baseline: "tuned C ceiling, same events", tunedWebhooks["events_per_second"] ?? 0,
            higherIsBetter: true, goal: "≥ 0.5", met: webhookRate / (tunedWebhooks["events_per_second"] ?? 1) >= 0.5)
        report.raw["ceiling_tuned_webhooks"] = tunedWebhooks
    }

    /// Durable single appends (commit per event, synchronous=FULL) against the C program's, same run.
    mutating func measureSingle(native: String, records: String) throws {
        let dir = parameters.directory
        let count = parameters.singleAppends
        log("durable single appends × \(parameters.runs) (project and C)")
        var single = try medians(["single", "--store", "\(dir)/single.sqlite", "--count", "\(count)", native])
        var cSingle = try medians(
            ["single", records, "\(dir)/single-c.sqlite", "\(count)"], executable: parameters.ceiling)
        for percentile in ["p50", "p99"] {
            report.add(
                "Durable single append, \(percentile)", single["\(percentile)_ms"] ?? 0, unit: "ms",
                baseline: "C, same (synchronous=FULL, commit per event)", cSingle["\(percentile)_ms"] ?? 0,
                higherIsBetter: false, goal: "(report)")
        }
        // Whether each acknowledged append was fsynced: count the syncs of 100 appends of each.
        if let ours = Stats.syncCalls(
            me, ["single", "--store", "\(dir)/single.sqlite", "--count", "100", native], log: "\(dir)/strace.txt"),
            let theirs = Stats.syncCalls(
                parameters.ceiling, ["single", records, "\(dir)/single-c.sqlite", "100"], log: "\(dir)/strace-c.txt")
        {
            report.add(
                "Durable single append, fsyncs per append (strace)", ours / 100, unit: "fsyncs",
                baseline: "C, same", theirs / 100, higherIsBetter: true, goal: "≥ 1 per append", met: ours >= 100)
            single["fsyncs_per_append"] = ours / 100
            cSingle["fsyncs_per_append"] = theirs / 100
        }
        report.raw["single"] = single
        report.raw["single_c"] = cSingle
    }

    /// Rebuild of every projection against a plain sequential read of the log; both medians.
    mutating func measureRebuild(main: String, events: Double) throws -> (
        read: [String: Double], rebuild: [String: Double]
    ) {
        log("rebuild × \(parameters.runs) and sequential read × \(parameters.runs)")
        let read = try medians(["read", "--store", main])
        let rebuild = try medians(["rebuild", "--store", main])
        report.add(
            "Rebuild all projections (\(Report.count(events)) events)", rebuild["events_per_second"] ?? 0,
            unit: "events/s", baseline: "sequential read (`forEachEvent`)", read["events_per_second"] ?? 0,
            higherIsBetter: true, goal: "≥ 0.4",
            met: (rebuild["events_per_second"] ?? 0) / (read["events_per_second"] ?? 1) >= 0.4)
        report.raw["read"] = read
        report.raw["rebuild"] = rebuild
        return (read, rebuild)
    }

    /// The peak RSS of a bulk ingest at `parameters.fullEvents` (10,000,000: `--scale full` only) against the
    /// same at the main size: one run (the 10M ingest takes tens of minutes here), its files removed after.
    mutating func measureFullScaleRSS(ingest: [String: Double], events: Double) throws {
        let dir = parameters.directory
        let native = "\(dir)/native-full.ndjson"
        let store = "\(dir)/store-full.sqlite"
        let started = Date()
        log("scale full: generating about \(parameters.fullEvents) events, then one ingest")
        let generated = try Stats.child(
            me, ["generate", "--users", "\(Self.users(forAbout: parameters.fullEvents))", "--out", native])
        let full = try medians(["ingest", "--store", store, "--compression", "lz4-dictionary", native], runs: 1)
        for path in [native, store, store + "-wal", store + "-shm"] {
            try? FileManager.default.removeItem(atPath: path)
        }
        var raw = full
        raw["generated_events"] = generated["events"] ?? 0
        raw["wall_seconds_with_generation"] = Date().timeIntervalSince(started)
        report.raw["ingest_full_scale"] = raw
        report.add(
            "Peak RSS, ingest, \(Report.count(full["events"] ?? 0)) events (`--scale full`)",
            full["peak_rss_mib"] ?? 0, unit: "MiB", baseline: "same at \(Report.count(events)) events",
            ingest["peak_rss_mib"] ?? 0, higherIsBetter: false, goal: "flat (≤ 1.25)",
            met: (full["peak_rss_mib"] ?? 0) / max(ingest["peak_rss_mib"] ?? 1, 1) <= 1.25)
        log("scale full: done in \(Int(Date().timeIntervalSince(started))) s")
    }

    /// `enroll-audit-bench rows --only GROUP,…`: some rows of `run` alone, on data generated at
    /// `parameters.events` (no budget, no fallback): `peers` (Python eventsourcing, PostgreSQL, 4 writers),
    /// `webhooks`, `single`, `rebuild`, `rss` (the ingest's peak RSS at the main size against a fifth of
    /// it; with `--scale full` also at 10,000,000 events).
    mutating func runRows(_ groups: Set<String>) throws {
        let known: Set = ["peers", "pgqueries", "webhooks", "single", "rebuild", "rss"]
        guard !groups.isEmpty, groups.isSubset(of: known) else {
            throw Stats.ChildFailure(
                description: "--only takes some of \(known.sorted().joined(separator: ",")), not \(groups.sorted())")
        }
        let p = parameters
        let dir = p.directory
        report.command = "`enroll-audit-bench rows --only \(groups.sorted().joined(separator: ","))`"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let haveCeiling = FileManager.default.isExecutableFile(atPath: p.ceiling)
        let native = "\(dir)/native.ndjson"
        let webhooks = "\(dir)/webhooks.ndjson"
        log("rows \(groups.sorted().joined(separator: ",")): generating about \(p.events) events")
        let generated = try Stats.child(
            me, ["generate", "--users", "\(Self.users(forAbout: p.events))", "--out", native, "--webhooks", webhooks])
        let events = generated["events"] ?? 0
        report.parameters = [
            "events": Double(p.events), "native_events": events, "webhook_lines": generated["webhook_lines"] ?? 0,
            "runs": Double(p.runs), "single_appends": Double(p.singleAppends),
        ]
        let main = "\(dir)/store-main.sqlite"
        log("ingest native NDJSON × \(p.runs)")
        let ingest = try medians(["ingest", "--store", main, "--compression", "lz4-dictionary", native])
        report.raw["ingest"] = ingest
        if groups.contains("webhooks") { try measureWebhooks(webhooks: webhooks, haveCeiling: haveCeiling) }
        if groups.contains("single") && haveCeiling {
            let records = "\(dir)/records.bin"
            _ = try Stats.child(me, ["records", "--store", main, "--out", records])
            try measureSingle(native: native, records: records)
        }
        if groups.contains("rebuild") { _ = try measureRebuild(main: main, events: events) }
        if groups.contains("peers") { try measurePeers(native: native, main: main, ingest: ingest, events: events) }
        if groups.contains("pgqueries") { try measurePostgresQueries(main: main, events: events) }
        if groups.contains("rss") {
            let smallNative = "\(dir)/native-small.ndjson"
            log("rss: ingest of about \(p.smallEvents) events × \(p.runs)")
            _ = try Stats.child(
                me, ["generate", "--users", "\(Self.users(forAbout: p.smallEvents))", "--out", smallNative])
            let small = try medians(["ingest", "--store", "\(dir)/store-small.sqlite", smallNative])
            report.parameters["small_events"] = small["events"] ?? 0
            report.add(
                "Peak RSS, ingest, \(Report.count(events)) events", ingest["peak_rss_mib"] ?? 0, unit: "MiB",
                baseline: "same at \(Report.count(small["events"] ?? 0)) events", small["peak_rss_mib"] ?? 0,
                higherIsBetter: false, goal: "flat (≤ 1.25)",
                met: (ingest["peak_rss_mib"] ?? 0) / max(small["peak_rss_mib"] ?? 1, 1) <= 1.25)
            if p.scaleFull { try measureFullScaleRSS(ingest: ingest, events: events) }
        }
        report.finished = Date()
        log("done")
    }
}
