import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// The real `enroll-audit serve`: its options, its refusals, TLS, and a graceful SIGTERM under load.
struct ServeCommandTests {
    @Test func helpDocumentsEveryOption() throws {
        let help = try CommandLineTool.run(["serve", "--help"])
        #expect(help.status == 0)
        for option in [
            "--store", "--listen", "--tokens", "--webhook-hmac-key", "--tls-cert", "--tls-key", "--max-body",
            "--queue-limit", "--batch-limit", "--batch-wait-ms", "--request-timeout", "--idle-timeout",
            "--page-cache-mib", "--stalled-after", "--checkpoint-key", "--log-level",
        ] {
            #expect(help.stdout.contains(option), "\(option)")
        }
    }

    @Test func listeningOffLoopbackWithoutTokensIsRefusedAtStart() throws {
        let directory = TemporaryDirectory()
        let result = try CommandLineTool.run(["serve", "--store", directory.path("s.sqlite"), "--listen", "0.0.0.0:0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("without --tokens"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("s.sqlite")))
    }

    @Test func aBadTokensFileIsRefusedAtStartNamingTheLine() throws {
        let directory = TemporaryDirectory()
        let tokens = directory.path("tokens")
        try Data("# ok\n0123456789abcdef0 read,admin\n".utf8).write(to: URL(fileURLWithPath: tokens))
        let result = try CommandLineTool.run(["serve", "--store", directory.path("s.sqlite"), "--tokens", tokens])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(tokens):2: unknown scope 'admin'"), "\(result.stderr)")
    }

    @Test func tlsServesTheAPIWithTheGivenCertificate() throws {
        let directory = TemporaryDirectory()
        let cert = directory.path("cert.pem")
        let key = directory.path("key.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj",
            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        let serve = try ServeProcess(
            store: directory.path("s.sqlite"), arguments: ["--tls-cert", cert, "--tls-key", key], https: true)
        let curl = try Self.curl(["--cacert", cert, "https://127.0.0.1:\(serve.port)/healthz"])
        #expect(curl == #"{"status":"ok"}"# + "\n")
        let plain = try? Self.curl(["http://127.0.0.1:\(serve.port)/healthz"])
        #expect(plain != #"{"status":"ok"}"# + "\n")
        #expect(serve.terminate() == 0)
    }

    @Test func sigtermFinishesTheRequestsInFlightAndExitsZero() async throws {
        let directory = TemporaryDirectory()
        let store = directory.path("s.sqlite")
        let serve = try ServeProcess(store: store)
        let url = serve.baseURL + "/v1/events"
        let answered = AnswerCount()
        // One request answered first: on a machine loaded by the rest of the suite, the first FULL commit
        // (the store's creation, migration and fsyncs) can take longer than the in-flight requests may wait.
        let warmUp = try await HTTPAnswer.send(
            .POST, url, headers: Headers.ndjson, body: EventFactory.ndjsonLines(count: 1, tag: "warm").ndjsonBody,
            timeout: .seconds(120))
        #expect(warmUp.status == 200, "\(warmUp.text)")
        let results = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            for index in 0..<48 {
                let body = EventFactory.ndjsonLines(count: 20, tag: "term\(index)").ndjsonBody
                group.addTask {
                    // Requests still waiting for a connection when the server exits are retried by the
                    // client's pool until their deadline: long enough for a loaded machine's first commit.
                    let answer = try? await HTTPAnswer.send(
                        .POST, url, headers: Headers.ndjson, body: body, timeout: .seconds(20))
                    if answer?.status == 200 { answered.add() }
                    return (index, answer?.status)
                }
            }
            // SIGTERM once the first requests are answered, while the others are in flight.
            let deadline = ContinuousClock.now + .seconds(60)
            while answered.value == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let status = serve.terminate()
            #expect(status == 0, "\(serve.standardError.suffix(2000))")
            var results: [Int: Int?] = [:]
            for try await (index, status) in group { results[index] = status }
            return results
        }
        let acknowledged = results.filter { $0.value == 200 }.map(\.key)
        #expect(!acknowledged.isEmpty)
        let exported = try CommandLineTool.run(["export", "--store", store]).stdout
        for index in 0..<48 {
            let stored = exported.components(separatedBy: #""tag":"term\#(index)""#).count - 1
            #expect(stored == 0 || stored == 20, "request \(index): a batch is whole or absent")
            if acknowledged.contains(index) { #expect(stored == 20, "acknowledged request \(index) is stored") }
        }
        #expect(try CommandLineTool.run(["verify", "--store", store]).status == 0)
    }

    static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--silent", "--show-error", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("curl exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Counts answers from concurrent tasks.
final class AnswerCount: @unchecked Sendable {
    // @unchecked: every access holds the lock.
    private var count = 0
    private let lock = NSLock()

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
