import EventStore
import PostgresNIO
import _ConnectionPoolModule

/// PostgreSQL's errors as ``EventStoreError``s: a code a caller can act on and the server's message.
enum PostgresErrors {
    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Serialization failure or deadlock: the transaction was rolled back and may simply run again.
    static func isTransient(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == "40001" || state == "40P01"
    }

    /// The connection is gone or unusable (lost, refused, the server shutting down or starting up, the
    /// backend terminated): a transaction on it rolled back, unless it was lost during COMMIT.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return true }
        // The pool could not open a connection for a while (postgres-nio's circuit breaker: every attempt
        // failed since the first, the server down or unreachable); it fails each lease at once until one
        // succeeds, so a later attempt may find the server back.
        if isCircuitBreakerTripped(error) { return true }
        guard let error = error as? PSQLError else { return false }
        if let state = sqlState(error) {
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
        }
        // `clientClosedConnection`: postgres-nio closes the channel itself after the server's FATAL error
        // (57P01 when the backend is terminated), and fails every later query on it with this code.
        return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(
            error.code)
    }

    /// postgres-nio's pool gave up opening connections (its circuit breaker tripped), as it throws it.
    static func isCircuitBreakerTripped(_ error: any Error) -> Bool {
        (error as? ConnectionPoolError) == .connectionCreationCircuitBreakerTripped
    }

    /// The connection an attempt ran on closed before the attempt returned (see
    /// `PostgresEventStore.transaction`).
    struct ConnectionClosed: Error, CustomStringConvertible {
        /// The pool handed the connection out already closed.
        var whenLeased = false
        var description: String {
            whenLeased ? "the connection was closed when leased" : "the connection closed during the transaction"
        }
    }

    /// The error of the last attempt: a lost connection says how long it was tried; anything else is
    /// ``translate(_:location:)``.
    static func outOfAttempts(_ error: any Error, attempts: Int, since start: ContinuousClock.Instant, location: String)
        -> any Error
    {
        guard isConnectionLoss(error) else { return translate(error, location: location) }
        let seconds = (ContinuousClock.now - start).components.seconds
        return EventStoreError(
            .unavailable,
            "PostgreSQL could not be reached (\(PostgresEventStore.describe(error))) in \(attempts) attempts over "
                + "\(seconds) s: a transaction in flight was rolled back, or, if the connection was lost during "
                + "COMMIT, may have committed (appending the same batch again is safe: it comes back as duplicates)",
            path: location)
    }

    /// PSQLError's own description hides the server's message (it may hold data): keep the message and
    /// the SQLSTATE, never the query's parameters.
    static func translate(_ error: any Error, location: String) -> any Error {
        if error is EventStoreError || error is ProofError || error is CancellationError { return error }
        guard let error = error as? PSQLError else {
            return EventStoreError(.unavailable, "the PostgreSQL request failed: \(error)", path: location)
        }
        guard let info = error.serverInfo, let state = info[.sqlState] else {
            return EventStoreError(
                .unavailable, "the PostgreSQL connection failed (\(error.code))", path: location)
        }
        let message = "PostgreSQL error \(state): \(info[.message] ?? "")"
        switch state {
        case "42501": return EventStoreError(.readOnly, "permission denied: \(message)", path: location)
        case "53100":
            return EventStoreError(.diskFull, "the disk is full; nothing of this write was stored", path: location)
        case "3D000", "28000", "28P01": return EventStoreError(.storeNotFound, message, path: location)
        case "40001", "40P01", "55P03", "57014": return EventStoreError(.busy, message, path: location)
        case "25006":
            return EventStoreError(
                .readOnly, "the server is read-only (a hot standby?): write to the primary: \(message)", path: location)
        case "23001": return EventStoreError(.readOnly, "the log is append-only: \(message)", path: location)
        default:
            if state.hasPrefix("08") || state.hasPrefix("57P") {
                return EventStoreError(.unavailable, message, path: location)
            }
            return EventStoreError(.database, message, path: location)
        }
    }
}
