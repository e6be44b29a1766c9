import EnrollmentDomain
import Foundation
import TestSupport

/// Debian's Prometheus started on a free loopback port with a configuration of the test's, stopped with
/// the value; its HTTP API read by ``get(_:)``.
final class PrometheusServer: Sendable {
    let process: Process
    let port: Int

    /// Starts `/usr/bin/prometheus --config.file=CONFIG` with its data in `directory`.
    init(config: String, directory: TemporaryDirectory) throws {
        port = try LoopbackPort.free()
        let file = directory.path("prometheus.yml")
        try Data(config.utf8).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments = [
            "--config.file=\(file)", "--storage.tsdb.path=\(directory.path("tsdb"))",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// The `data` member of an API answer (`/api/v1/…`), `nil` while Prometheus is not answering.
    func get(_ path: String) async -> JSONValue? {
        guard let answer = try? await HTTPAnswer.send(.GET, "http://127.0.0.1:\(port)\(path)", timeout: .seconds(5)),
            answer.json?.objectValue?["status"]?.stringValue == "success"
        else { return nil }
        return answer.json?.objectValue?["data"]
    }

    /// The result of an instant query, or `nil` when it failed.
    func query(_ expression: String) async -> [JSONValue]? {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        return await get("/api/v1/query?query=\(encoded)")?.objectValue?["result"]?.arrayValue
    }

    /// Polls `probe` every half second until it answers non-nil, for at most `seconds`.
    static func waitFor<T>(seconds: Int = 90, _ probe: () async throws -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }
}
