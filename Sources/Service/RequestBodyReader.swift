import Hummingbird
import NIOCore

/// Reads a request body within the size limit and the request timeout.
enum RequestBodyReader {
    /// The body's bytes, read within `timeout` from the moment the handler starts reading.
    ///
    /// - Throws: 413 when it is over `limit` (at once when `Content-Length` says so); 408 when the body has
    ///   not all arrived within `timeout` (the answer says `Connection: close`, and the rest of the body is
    ///   not read: the connection closes after the answer).
    static func collect(_ request: Request, limit: Int, timeout: Duration) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.tooLarge(limit: limit)
        }
        let body = request.body
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await read(body, limit: limit) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw Problem.requestTimeout(timeout)
            }
            return bytes
        }
    }

    /// Reads by hand rather than `collect(upTo:)`: past the limit the rest of the body is read and dropped
    /// (up to four times the limit), so that the 413 is answered on a connection left in order.
    private static func read(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        var received = 0
        for try await chunk in body {
            received += chunk.readableBytes
            if received <= limit {
                bytes += chunk.readableBytesView
            } else if received > limit * 4 + (1 << 20) {
                break
            }
        }
        guard received <= limit else { throw Problem.tooLarge(limit: limit) }
        return bytes
    }

    /// The media type of a request (`application/json` of `application/json; charset=utf-8`), lowercased.
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map {
            String($0.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
                .lowercased()
        }
    }

    /// Refuses a request whose content type is not one of `accepted`.
    ///
    /// - Throws: 415 naming the accepted types.
    static func requireMediaType(_ request: Request, _ accepted: [String]) throws {
        guard let type = mediaType(request), accepted.contains(type) else {
            throw Problem.unsupportedMediaType(accepted.joined(separator: " or "))
        }
    }
}
