import EventStore
import FleetSimulator
import Foundation
import Ingest

// `enroll-audit-bench`: measurements that are not the product's face. Each subcommand measures one
// thing in its own process (so peak RSS is its own) and prints one JSON object. `run` drives them all.
//
//   enroll-audit-bench generate --users N --out FILE [--webhooks FILE]
//   enroll-audit-bench ingest --store PATH FILE [--compression none|lz4|lz4-dictionary] [--durability full|normal]
//   enroll-audit-bench read --store PATH
//   enroll-audit-bench verify --store PATH
//   enroll-audit-bench run [--events N] [--dir DIR]

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

do {
    switch arguments.first {
    case "generate":
        try Measurements.generate(
            users: Int(option("users") ?? "1000")!, out: option("out")!, webhooks: option("webhooks"))
    case "ingest":
        try Measurements.ingest(
            store: option("store")!, file: arguments.last!, compression: option("compression") ?? "lz4-dictionary",
            durability: option("durability") ?? "full")
    case "read": try Measurements.read(store: option("store")!)
    case "verify": try Measurements.verify(store: option("store")!)
    case "run": try Driver.run(events: Int(option("events") ?? "1000000")!, directory: option("dir") ?? ".build/bench")
    default:
        FileHandle.standardError.write(Data("usage: enroll-audit-bench generate|ingest|read|verify|run …\n".utf8))
        exit(1)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
