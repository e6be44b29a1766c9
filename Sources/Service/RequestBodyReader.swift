import Hummingbird
import NIOCore

/// Reads a request body within the size limit and the request timeout.
enum RequestBodyReader {
    /// The body's bytes.
    ///
    /// - Throws: 413 when it is over `limit` (at once when `Content-Length` says so), 408 when it does
    ///   not arrive within `timeout`.
    static func collect(_ request: Request, limit: Int, timeout: Duration) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.tooLarge(limit: limit)
        }
        let body = request.body
        do {
            let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let buffer = first else {
                    throw Problem.timeout("the body did not arrive within \(timeout)")
                }
                return buffer
            }
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge(limit: limit)
        }
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
