import Foundation

/// Runs every measurement in child processes and prints a table.
enum Driver {
    static func run(events: Int, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let me = CommandLine.arguments[0]
        let users = max(1, events / 9)
        let input = "\(directory)/native.ndjson"
        let generated = try child(me, ["generate", "--users", "\(users)", "--out", input])
        let inputBytes = Double(Measurements.fileSize(input))
        var rows: [(String, [String: Double])] = [("generate", generated)]
        for compression in ["none", "lz4", "lz4-dictionary"] {
            let store = "\(directory)/store-\(compression).sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            var result = try child(me, ["ingest", "--store", store, "--compression", compression, input])
            result["bytes_per_event"] = (result["store_bytes"] ?? 0) / max(1, result["events"] ?? 1)
            result["input_bytes_per_event"] = inputBytes / max(1, result["events"] ?? 1)
            rows.append(("ingest (\(compression))", result))
        }
        let store = "\(directory)/store-lz4-dictionary.sqlite"
        rows.append(("read all", try child(me, ["read", "--store", store])))
        rows.append(("verify", try child(me, ["verify", "--store", store])))
        for (name, values) in rows {
            let fields = values.keys.sorted().map { "\($0)=\(format(values[$0]!))" }.joined(separator: " ")
            print("\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(fields)")
        }
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int64(value)) : String(format: "%.2f", value)
    }

    static func child(_ executable: String, _ arguments: [String]) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Double]
        else { throw NSError(domain: "bench", code: Int(process.terminationStatus)) }
        return object
    }
}
