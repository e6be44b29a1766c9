import Foundation

// `enroll-audit-bench`: the one benchmark harness (`make bench`). Each subcommand measures one thing in
// its own process (so peak RSS is its own) and prints one JSON object; `run` drives them all, takes
// medians, sets each figure beside a baseline measured in the same run, prints a table and writes
// docs/performance.md (between its markers) and a JSON file.
//
//   enroll-audit-bench run [--events N] [--small-events N] [--runs N] [--cli-runs N] [--dir DIR]
//                          [--budget SECONDS] [--doc FILE] [--json FILE] [--cli PATH] [--ceiling PATH]
//                          [--no-peers] [--peer-runs N] [--peer-script FILE] [--writer-events N] [--scale full [--full-events N]]
//   enroll-audit-bench rows --only peers,pgqueries,webhooks,single,rebuild,rss [--events N] [--runs N] [--dir DIR]
//                          [--scale full] [--markdown] [--json FILE]   (some rows of `run` alone, no budget)
//   enroll-audit-bench pg-append --store postgres://… --writers N --batch N [--limit N] FILE
//                          (NDJSON appended by N concurrent writers into PostgreSQL, BATCH a transaction)
//   enroll-audit-bench generate --users N|--events N --out FILE [--webhooks FILE]
//   enroll-audit-bench ingest --store PATH FILE [--compression none|lz4|lz4-dictionary] [--no-projections]
//                          [--writer-cache-kib N] [--commit-every N]   (N events a transaction; default: one)
//   enroll-audit-bench records --store PATH --out FILE      (the pre-parsed input of sqlite-ceiling)
//   enroll-audit-bench single --store PATH --count N FILE   (durable single appends)
//   enroll-audit-bench read|rebuild|verify|verify-chain --store PATH   (rebuild: [--writer-cache-kib N];
//                          verify-chain: the chain-only walk `verify` was before the Merkle tree)
//   enroll-audit-bench proofs-at --store PATH [--runs N] [--cli-runs N] [--markdown] [--json FILE]
//                          (only the proofs' checks, on an existing store)
//   enroll-audit-bench tree-cost|verify-projections --store PATH   (the Merkle tree's work alone; the
//                          projections rebuilt into a scratch file and compared)
//   enroll-audit-bench index-cost --store PATH [--copies N] [--runs N] [--cache-kib N]   (the events' two
//                          UNIQUE indexes inline in a load of the rows N times, against building them after it)
//   enroll-audit-bench export --store PATH --out FILE [--lz4] [--cache-kib N]
//   enroll-audit-bench queries --store PATH --ids A,B,… [--iterations N]
//   enroll-audit-bench queries-at --store PATH [--json FILE] [--markdown] [--cli-runs N]
//                          (only the query rows, on an existing store: `make bench-queries`)
//   enroll-audit-bench parse [--lines N] [--rounds N] FILE  (NDJSON line → validated event → canonical data)
//   enroll-audit-bench console --cli PATH --store STORE --dir DIR [--seconds N]
//                          (the console's pages under wrk on a real `serve`: p95, and the page weight)
//   enroll-audit-bench serve --cli PATH --webhooks FILE --dir DIR [--seconds N] [--connections N] [--readers N]
//                          (`serve` under wrk: acknowledged webhooks/s, latencies, against the bulk ingest)
//
// The defaults of `run` can also come from the environment: BENCH_EVENTS, BENCH_SMALL_EVENTS,
// BENCH_RUNS, BENCH_CLI_RUNS, BENCH_BUDGET (seconds, default 500: when the ingest rate measured on the
// small size says the main size would not fit, it falls back to one that does and says so; 0: never).

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
func integer(_ name: String, environment: String, _ fallback: Int) -> Int {
    option(name).flatMap { Int($0.replacingOccurrences(of: "_", with: "")) }
        ?? ProcessInfo.processInfo.environment[environment].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) }
        ?? fallback
}

do {
    switch arguments.first {
    case "run", "rows":
        var parameters = Driver.Parameters()
        parameters.events = integer("events", environment: "BENCH_EVENTS", parameters.events)
        parameters.smallEvents = integer("small-events", environment: "BENCH_SMALL_EVENTS", 0)
        parameters.runs = max(1, integer("runs", environment: "BENCH_RUNS", parameters.runs))
        parameters.cliRuns = max(1, integer("cli-runs", environment: "BENCH_CLI_RUNS", parameters.cliRuns))
        parameters.budgetSeconds = Double(integer("budget", environment: "BENCH_BUDGET", 500))
        parameters.directory = option("dir") ?? parameters.directory
        parameters.doc = option("doc") ?? ""
        parameters.json = option("json") ?? ""
        parameters.cli = option("cli") ?? ""
        parameters.ceiling = option("ceiling") ?? ""
        parameters.peers = !arguments.contains("--no-peers")
        parameters.peerScript = option("peer-script") ?? ""
        parameters.peerRuns = max(1, integer("peer-runs", environment: "BENCH_PEER_RUNS", parameters.peerRuns))
        parameters.writerEvents = integer("writer-events", environment: "BENCH_WRITER_EVENTS", parameters.writerEvents)
        parameters.fullEvents = integer("full-events", environment: "BENCH_FULL_EVENTS", parameters.fullEvents)
        parameters.scaleFull = (option("scale") ?? ProcessInfo.processInfo.environment["BENCH_SCALE"]) == "full"
        var driver = Driver(parameters)
        if arguments.first == "rows" {
            try driver.runRows(Set((option("only") ?? "").split(separator: ",").map(String.init)))
            print(arguments.contains("--markdown") ? driver.report.markdown() : driver.report.textTable())
            if !parameters.json.isEmpty { try driver.report.writeJSON(to: parameters.json) }
        } else {
            try driver.run()
        }
    case "pg-append":
        try PostgresAppend.run(
            address: option("store")!, file: arguments.last!, writers: max(1, Int(option("writers") ?? "1")!),
            batch: max(1, Int(option("batch") ?? "1000")!), limit: option("limit").flatMap(Int.init))
    case "generate":
        let users = option("users").flatMap(Int.init) ?? option("events").flatMap(Int.init).map(Driver.users) ?? 1_000
        try Measurements.generate(users: users, out: option("out")!, webhooks: option("webhooks"))
    case "ingest":
        try Measurements.ingest(
            store: option("store")!, file: arguments.last!, compression: option("compression") ?? "lz4-dictionary",
            projections: !arguments.contains("--no-projections"),
            writerCacheKiB: option("writer-cache-kib").flatMap(Int.init),
            commitEvery: option("commit-every").flatMap(Int.init))
    case "records": try Records.write(store: option("store")!, out: option("out")!)
    case "single":
        try Measurements.singleAppends(store: option("store")!, input: arguments.last!, count: Int(option("count")!)!)
    case "read": try Measurements.read(store: option("store")!)
    case "rebuild":
        try Measurements.rebuild(store: option("store")!, writerCacheKiB: option("writer-cache-kib").flatMap(Int.init))
    case "verify": try Measurements.verify(store: option("store")!)
    case "verify-chain": try ProofMeasurements.verifyChain(store: option("store")!)
    case "proofs-at":
        try ProofScale.run(
            store: option("store")!, runs: max(1, integer("runs", environment: "BENCH_RUNS", 3)),
            cliRuns: max(1, integer("cli-runs", environment: "BENCH_CLI_RUNS", 15)),
            markdown: arguments.contains("--markdown"), json: option("json"))
    case "tree-cost": try ProofMeasurements.treeCost(store: option("store")!)
    case "index-cost":
        try IndexCost.run(
            store: option("store")!, copies: max(1, integer("copies", environment: "BENCH_COPIES", 1)),
            runs: max(1, integer("runs", environment: "BENCH_RUNS", 3)),
            cacheKiB: option("cache-kib").flatMap(Int.init))
    case "verify-projections": try ProofMeasurements.verifyProjections(store: option("store")!)
    case "export":
        try Measurements.export(
            store: option("store")!, out: option("out")!, lz4: arguments.contains("--lz4"),
            cacheKiB: option("cache-kib").flatMap(Int.init))
    case "queries-at":
        try QueryScale.run(
            store: option("store")!, json: option("json"), markdown: arguments.contains("--markdown"),
            cliRuns: Int(option("cli-runs") ?? "15")!)
    case "queries":
        try QueryMeasurements.run(
            store: option("store")!, ids: option("ids")!.split(separator: ",").map(String.init),
            iterations: Int(option("iterations") ?? "200")!)
    case "parse":
        try ParseMeasurement.run(
            file: arguments.last!, lines: Int(option("lines") ?? "200000")!, rounds: Int(option("rounds") ?? "5")!)
    case "serve":
        var options = ServeMeasurement.Options(
            cli: option("cli")!, webhooks: option("webhooks")!, directory: option("dir") ?? ".build/bench-serve")
        options.seconds = option("seconds").flatMap(Int.init) ?? options.seconds
        options.connections = option("connections").flatMap(Int.init) ?? options.connections
        options.readers = option("readers").flatMap(Int.init) ?? options.readers
        try ServeMeasurement.run(options)
    case "console":
        try ConsoleMeasurement.run(
            cli: option("cli")!, store: option("store")!, directory: option("dir") ?? ".build/bench-console",
            seconds: option("seconds").flatMap(Int.init) ?? 5)
    default:
        try? FileHandle.standardError.write(
            contentsOf: Data(
                "usage: enroll-audit-bench run|generate|ingest|records|single|read|rebuild|verify|export|queries|parse …\n"
                    .utf8))
        exit(1)
    }
} catch {
    try? FileHandle.standardError.write(contentsOf: Data("error: \(error)\n".utf8))
    exit(2)
}
