// projections-bench: how fast the projections keep up with a large store.
//
//     swift run -c release projections-bench [--events N] [--dir PATH]
//
// Writes a synthetic fleet of about N events (ten per enrollment, the MDM's check-ins in a stream of their
// own linked back to the attempt) into a store without projections, then measures: a plain sequential
// read of the log, a full rebuild of the projections, an ingest with the projections inline, and the
// queries the CLI makes. Prints one line per measurement.
import EnrollmentDomain
import EventStore
import Foundation
import Projections

var requestedEvents = 1_000_000
var requestedDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("projections-bench").path
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--events": requestedEvents = Int(arguments.next() ?? "") ?? requestedEvents
    case "--dir": requestedDirectory = arguments.next() ?? requestedDirectory
    default:
        FileHandle.standardError.write(Data("usage: projections-bench [--events N] [--dir PATH]\n".utf8))
        exit(1)
    }
}
let eventCount = requestedEvents
let directory = requestedDirectory
try? FileManager.default.removeItem(atPath: directory)
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

@discardableResult
func measure<T>(_ label: String, events: Int? = nil, _ body: () throws -> T) rethrows -> T {
    let start = Date()
    let result = try body()
    let seconds = Date().timeIntervalSince(start)
    let rate = events.map { String(format: "  %9.0f events/s", Double($0) / seconds) } ?? ""
    let padded = label.padding(toLength: max(label.count, 44), withPad: " ", startingAt: 0)
    print(padded + String(format: " %8.3f s", seconds) + rate)
    return result
}

func open(_ name: String, in directory: String, projections: [any InlineProjection]) throws -> SQLiteEventStore {
    var configuration = StoreConfiguration()
    configuration.durability = .normal
    configuration.projections = projections
    return try SQLiteEventStore(path: "\(directory)/\(name).sqlite", configuration: configuration)
}

func ingest(_ eventCount: Int, into store: SQLiteEventStore) throws {
    try store.write { appender in
        for enrollment in 0..<max(1, eventCount / 10) {
            for event in SyntheticEnrollment(index: enrollment).events() { try appender.append(event) }
        }
    }
}

print("events: \(try SyntheticEnrollment.count(forAbout: eventCount)), directory: \(directory)")
let plain = try open("plain", in: directory, projections: [])
let total = try SyntheticEnrollment.count(forAbout: eventCount)
try measure("ingest, no projections", events: total) { try ingest(eventCount, into: plain) }
try measure("sequential read of the log", events: total) {
    var count = 0
    try plain.forEachEvent { _ in
        count += 1
        return true
    }
}
let rebuilt = try measure("open + rebuild all projections", events: total) {
    try open("plain", in: directory, projections: ProjectionSet.all)
}
try measure("rebuild device_status only", events: total) {
    try rebuilt.rebuildProjections(named: ["device_status"])
}
let inline = try open("inline", in: directory, projections: ProjectionSet.all)
try measure("ingest with projections inline", events: total) { try ingest(eventCount, into: inline) }

let queries = EnrollmentQueries(store: rebuilt)
let middle = SyntheticEnrollment(index: eventCount / 20)
try measure("show by enrollment id (x100)") {
    for _ in 0..<100 { _ = try queries.enrollments(matching: middle.enrollmentID) }
}
try measure("show by UPN (x100)") {
    for _ in 0..<100 { _ = try queries.enrollments(matching: middle.user) }
}
try measure("timeline by attempt id (x100)") {
    for _ in 0..<100 { _ = try queries.timeline(for: middle.attempt) }
}
try measure("devices --state failed --limit 50 (x100)") {
    for _ in 0..<100 { _ = try queries.devices(DeviceFilter(state: .failed, limit: 50)) }
}
try measure("devices --stalled-for 1h --limit 50 (x100)") {
    for _ in 0..<100 { _ = try queries.devices(DeviceFilter(stalledFor: 3600, limit: 50)) }
}
let stats = try measure("stats --by-day") { try queries.stats(StatsQuery(byDay: true)) }
print("enrollments: \(stats.total.enrollments), days: \(stats.days.count)")
print(stats.total.states.map { "\($0.state.rawValue)=\($0.count)" }.joined(separator: " "))
