import Crypto
import Foundation
import NIOConcurrencyHelpers

/// The console's sign-in sessions: a random id sent as an `HttpOnly; Secure; SameSite=Strict` cookie,
/// exchanged once for a token of the `read` scope.
///
/// Only SHA-256 digests of the ids are kept (a memory dump shows no usable cookie), in memory: a restart
/// signs everyone out. At most ``limit`` sessions live at once; beyond it the oldest is dropped.
public final class ConsoleSessions: Sendable {
    /// How long a session lasts after sign-in.
    public let lifetime: Duration
    /// The most sessions kept at once.
    public let limit: Int
    private let sessions = NIOLockedValueBox<[SHA256Digest: ContinuousClock.Instant]>([:])

    public init(lifetime: Duration = .seconds(8 * 3_600), limit: Int = 10_000) {
        self.lifetime = lifetime
        self.limit = limit
    }

    /// Opens a session; returns its id, for the cookie.
    public func open() -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        let now = ContinuousClock.now
        sessions.withLockedValue { sessions in
            sessions = sessions.filter { $0.value > now }
            while sessions.count >= limit, let oldest = sessions.min(by: { $0.value < $1.value }) {
                sessions[oldest.key] = nil
            }
            sessions[Self.digest(id)] = now + lifetime
        }
        return id
    }

    /// Whether `id` names a session that has not expired.
    public func isValid(_ id: String) -> Bool {
        let key = Self.digest(id)
        let now = ContinuousClock.now
        return sessions.withLockedValue { sessions in
            guard let expiry = sessions[key] else { return false }
            if expiry <= now { sessions[key] = nil }
            return expiry > now
        }
    }

    /// Ends the session `id` names, if any.
    public func close(_ id: String) {
        let key = Self.digest(id)
        _ = sessions.withLockedValue { $0.removeValue(forKey: key) }
    }

    static func digest(_ id: String) -> SHA256Digest { SHA256.hash(data: Data(id.utf8)) }
}
