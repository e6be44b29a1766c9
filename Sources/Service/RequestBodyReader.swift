import Hummingbird
import NIOCore

/// Reads a request body within the size limit and the request timeout.
enum RequestBodyReader {
    /// The body's bytes. A body that stops arriving is ended by the connection's idle timeout
    /// (``ServiceConfiguration/requestTimeout``), which closes the connection: nothing is stored.
    ///
    /// - Throws: 413 when it is over `limit` (at once when `Content-Length` says so).
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.tooLarge(limit: limit)
        }
        // Read by hand rather than `collect(upTo:)`: past the limit the rest of the body is read and dropped
        // (up to four times the limit), so that the 413 is answered on a connection left in order.
        var bytes: [UInt8] = []
        var received = 0
        for try await chunk in request.body {
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
