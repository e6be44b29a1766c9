import Foundation
import TestSupport
import Testing

/// Schema/openapi.yaml is a valid OpenAPI 3.1 document (openapi-spec-validator), and a real `serve`
/// answers schemathesis' generated requests without a 5xx and with every response as documented.
/// Both tools come from PyPI into .build/venv (Tools/setup).
struct OpenAPITests {
    static let document = Fixtures.packageRoot.appendingPathComponent("Schema/openapi.yaml").path
    static let venv = Fixtures.packageRoot.appendingPathComponent(".build/venv/bin").path

    /// Runs a program of the virtual environment; returns its exit status and output.
    static func runTool(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(venv)/\(name)")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(
            deadline: .now() + Double(timeout.components.seconds), execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theDocumentIsValidOpenAPI31() throws {
        let result = try Self.runTool("openapi-spec-validator", [Self.document], timeout: .seconds(120))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        let text = try String(contentsOfFile: Self.document, encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1."))
        for path in [
            "/webhooks/mdm", "/v1/events", "/v1/ingest", "/v1/enrollments", "/v1/enrollments/{id}",
            "/v1/timeline/{id}", "/v1/stats", "/v1/export", "/metrics", "/healthz", "/readyz",
        ] {
            #expect(text.contains("\n  \(path):\n"), "\(path) is documented")
        }
    }

    @Test(.timeLimit(.minutes(6)))
    func schemathesisFindsNoServerErrorAndNoUndocumentedResponse() throws {
        let samples = try SampleStoreFile()
        let directory = TemporaryDirectory()
        let token = "schemathesis-token-6d5c4b3a2910"
        try Data("\(token) ingest,read,metrics\n".utf8).write(to: URL(fileURLWithPath: directory.path("tokens")))
        let serve = try ServeProcess(store: samples.path, arguments: ["--tokens", directory.path("tokens")])
        defer { serve.kill() }
        // The event stream follows the log until the client leaves: EventStreamTests covers it. The
        // signature header is not generated: WebhookTests covers signatures.
        let result = try Self.runTool(
            "schemathesis",
            [
                "run", Self.document, "--experimental=openapi-3.1", "--base-url", serve.baseURL,
                "-H", "Authorization: Bearer \(token)", "--checks", "all", "--hypothesis-max-examples", "40",
                "--hypothesis-seed", "20261201", "--generation-with-security-parameters", "false",
                "--exclude-operation-id", "followEvents", "--request-timeout", "10000", "--workers", "2",
            ],
            environment: [
                "SCHEMATHESIS_HOOKS": "ndjson_hooks",
                "PYTHONPATH": Fixtures.packageRoot.appendingPathComponent("Tests/ServiceTests/Schemathesis").path,
                "NO_COLOR": "1",
            ], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.output.suffix(6000))")
        #expect(result.output.contains("not_a_server_error"))
        #expect(!result.output.contains("FAILED"), "\(result.output.suffix(6000))")
        #expect(try CommandLineTool.run(["verify", "--store", samples.path]).status == 0)
        #expect(serve.terminate() == 0)
    }
}
