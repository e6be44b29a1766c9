import EnrollmentDomain
import Foundation
import NIOCore
import TestSupport
import Testing

/// `GET /v1/export` of the real `enroll-audit serve` carries the proofs of `export --proof`: the body
/// downloaded verifies with `verify --file --key` and with the independent Tools/verify-export.py.
struct ExportProofTests {
    let fixture: ProofStore
    var store: String { fixture.path }
    var key: String { fixture.key }
    static let user = ProofStore.user

    init() throws {
        fixture = try ProofStore()
    }

    func verify(_ body: [UInt8]) throws -> (swift: CommandLineTool.Result, python: CommandLineTool.Result) {
        try fixture.verify(body)
    }

    static func lines(_ answer: HTTPAnswer) throws -> [[String: JSONValue]] {
        try answer.text.split(separator: "\n").map { try #require(try JSONParser.parse(String($0)).objectValue) }
    }

    @Test func withACheckpointKeyEveryExportIsProvenCompleteByBothVerifiers() async throws {
        let total = try CommandLineTool.run(["export", "--store", store]).stdout.split(separator: "\n").count
        #expect(total > 700)
        let serve = try ServeProcess(store: store, arguments: ["--checkpoint-key", key])
        defer { serve.kill() }
        let user = Self.user.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for (path, count) in [
            ("/v1/export?user=\(user)", 9), ("/v1/export?proof=true", total),
            ("/v1/export?proof=true&type=profile.install_failed&after=100", nil),
        ] {
            let answer = try await HTTPAnswer.send(.GET, serve.baseURL + path, timeout: .minutes(5))
            #expect(answer.status == 200, "\(path): \(answer.text)")
            #expect(answer.headers.first(name: "Content-Type") == "application/x-ndjson")
            let lines = try Self.lines(answer)
            if let count { #expect(lines.count == count, "\(path)") }
            #expect(
                !lines.isEmpty
                    && lines.allSatisfy { $0["proof"]?.stringValue?.hasPrefix("c2sp.org/tlog-proof@v1\n") == true })
            let (swift, python) = try verify(answer.body)
            #expect(swift.status == 0, "\(path): \(swift.stdout)\(swift.stderr)")
            #expect(swift.stdout.contains("ok: \(lines.count) events"), "\(path): \(swift.stdout)")
            #expect(swift.stdout.contains("complete: the lines are exactly the events the checkpoint lists"))
            #expect(python.status == 0, "\(path): \(python.stdout)\(python.stderr)")
            #expect(python.stdout.contains("ok: \(lines.count) events"), "\(path): \(python.stdout)")
            // An edited download is refused, naming the line.
            var edited = answer.text.split(separator: "\n").map(String.init)
            edited[0] = edited[0].replacingOccurrences(of: #""version":"#, with: #""version":1"#)
            let tampered = try verify(Array((edited.joined(separator: "\n") + "\n").utf8))
            #expect(tampered.swift.status == 4, "\(path): \(tampered.swift.stdout)")
            #expect(tampered.swift.stdout.contains("line 1") || tampered.swift.stderr.contains("line 1"))
            #expect(tampered.python.status != 0 && tampered.python.stdout.contains("line 1"))
        }
        // The plain stream is still there, and is what the CLI prints without proofs.
        let plain = try await HTTPAnswer.send(.GET, serve.baseURL + "/v1/export?user=\(user)&proof=false")
        #expect(plain.status == 200)
        let cli = try CommandLineTool.run(["export", "--store", store, "--user", Self.user, "--no-proof"])
        #expect(plain.text == cli.stdout)
        #expect(serve.terminate() == 0)
    }

    @Test func withoutAKeyProofsAreAgainstTheLatestCheckpointAndRefusedClearlyWhenThereIsNone() async throws {
        let user = Self.user.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        do {
            let serve = try ServeProcess(store: store)
            defer { serve.kill() }
            let refused = try await HTTPAnswer.send(.GET, serve.baseURL + "/v1/export?user=\(user)")
            #expect(refused.status == 409, "\(refused.text)")
            #expect(refused["type"]?.stringValue == "urn:enroll-audit:problem:no-checkpoint")
            let detail = refused["detail"]?.stringValue ?? ""
            #expect(detail.contains("no checkpoint") && detail.contains("--checkpoint-key"), "\(detail)")
            #expect(detail.contains("proof=false"), "\(detail)")
            let full = try await HTTPAnswer.send(.GET, serve.baseURL + "/v1/export?proof=true", timeout: .minutes(5))
            #expect(full.status == 409)
            #expect(serve.terminate() == 0)
        }
        let checkpoint = try CommandLineTool.run(["checkpoint", "--store", store, "--key", key])
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
        let serve = try ServeProcess(store: store)
        defer { serve.kill() }
        let answer = try await HTTPAnswer.send(.GET, serve.baseURL + "/v1/export?user=\(user)")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try Self.lines(answer).count == 9)
        let (swift, python) = try verify(answer.body)
        #expect(swift.status == 0, "\(swift.stdout)\(swift.stderr)")
        #expect(swift.stdout.contains("not proven complete"), "\(swift.stdout)")
        #expect(python.status == 0, "\(python.stdout)\(python.stderr)")
        // The proofs are those of the CLI's export against the same checkpoint, line for line.
        let cli = try CommandLineTool.run(["export", "--store", store, "--user", Self.user])
        #expect(cli.status == 0)
        #expect(answer.text == cli.stdout)
        // An event newer than the checkpoint cannot be proven by it.
        let append = try await HTTPAnswer.send(
            .POST, serve.baseURL + "/v1/events", headers: Headers.ndjson,
            body: EventFactory.ndjsonLines(count: 1, tag: "late").ndjsonBody)
        #expect(append.status == 200, "\(append.text)")
        let behind = try await HTTPAnswer.send(.GET, serve.baseURL + "/v1/export?proof=true", timeout: .minutes(5))
        #expect(behind.status == 409)
        #expect(behind["detail"]?.stringValue?.contains("newer than the latest checkpoint") == true)
        #expect(serve.terminate() == 0)
    }
}
