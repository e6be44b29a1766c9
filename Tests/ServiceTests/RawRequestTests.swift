import Foundation
import Service
import TestSupport
import Testing

/// Requests an ordinary client does not send: a body that stops arriving, a chunked body over the limit.
struct RawRequestTests {
    /// Sends `request` on a new TCP connection and reads the answer until the server closes or `timeout`.
    static func send(_ request: String, port: Int, timeout: Double = 10) throws -> String {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw TestFailure("cannot connect") }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(socket, &buffer, buffer.count)
            if count <= 0 { break }
            answer += buffer[0..<count]
            if String(decoding: answer, as: UTF8.self).contains("\r\n\r\n{") && answer.last == 0x0A { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func aBodyThatStopsArrivingIsCutOffAfterTheRequestTimeoutAndNothingIsStored() async throws {
        try await TestServer.with(configure: { $0.requestTimeout = .seconds(1) }) { server in
            let started = ContinuousClock.now
            let answer = try Self.send(
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n{\"event",
                port: server.port)
            let elapsed = ContinuousClock.now - started
            #expect(answer.isEmpty, "\(answer)")
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(8), "closed after \(elapsed)")
            #expect(try server.eventCount() == 0)
            // The server goes on serving.
            #expect(try await server.request(.GET, "/healthz").status == 200)
        }
    }

    @Test func aChunkedBodyOverTheLimitIsAnswered413() async throws {
        try await TestServer.with(configure: { $0.maximumBodyBytes = 1024 }) { server in
            let chunk = String(repeating: "x", count: 800)
            let chunked = "320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n"
            // The server answers and closes; when the close overtakes the client's last bytes, the kernel
            // resets the connection and the client may lose the answer it was sent (seen under load). Such a
            // lost answer is retried, at most three times; the server must answer 413 every time.
            var answer = ""
            for _ in 0..<3 where answer.isEmpty {
                answer = try Self.send(
                    "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n\(chunked)",
                    port: server.port)
            }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
            #expect(answer.contains("urn:enroll-audit:problem:body-too-large"))
            #expect(try server.eventCount() == 0)
        }
    }
}
