import Foundation
import PostgresNIO

/// Where a PostgreSQL store is: a `postgres://` (or `postgresql://`) address in libpq's URI form.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir&sslmode=disable|require&pool_size=N]`. A `host`
/// parameter that is a directory (or an empty host) connects through the Unix socket
/// `DIR/.s.PGSQL.PORT`, as libpq does. TLS: `sslmode=require` insists on it, `disable` (the default on a
/// socket and on loopback) never asks, anything else prefers it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var database: String
    /// A TCP host, or `nil` for a Unix socket.
    public var host: String?
    public var port: Int
    /// The directory of the Unix socket, when `host` is `nil`.
    public var socketDirectory: String?
    public var tlsMode: TLSMode
    /// The most connections a store's pool opens (`pool_size`, 1 to 1000), when the address names it.
    public var poolSize: Int?

    /// How the connection uses TLS.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    /// Whether `text` names a PostgreSQL store (rather than a file path).
    public static func isAddress(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` address.
    ///
    /// - Throws: ``EventStoreError``-free ``PostgresLocation/Malformed`` naming what is wrong.
    public init(_ text: String) throws {
        guard Self.isAddress(text), let components = URLComponents(string: text) else {
            throw Malformed(reason: "not a postgres:// address")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty
        else { throw Malformed(reason: "the address names no user (postgres://USER@HOST/DATABASE)") }
        self.user = user
        password = components.percentEncodedPassword?.removingPercentEncoding
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw Malformed(reason: "the address names no database (postgres://USER@HOST/DATABASE)")
        }
        self.database = database
        port = components.port ?? 5432
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let hostParameter = query["host"]
        let urlHost = components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let hostParameter, hostParameter.hasPrefix("/") {
            host = nil
            socketDirectory = hostParameter
        } else if let name = hostParameter ?? urlHost {
            host = name
            socketDirectory = nil
        } else {
            host = nil
            socketDirectory = "/var/run/postgresql"
        }
        let isLocal = host == nil || host == "localhost" || host == "127.0.0.1" || host == "::1"
        if let mode = query["sslmode"] {
            switch mode {
            case "disable": tlsMode = .disable
            case "require", "verify-ca", "verify-full": tlsMode = .require
            case "allow", "prefer": tlsMode = .prefer
            default: throw Malformed(reason: "sslmode '\(mode)' is not one of disable, prefer, require")
            }
        } else {
            tlsMode = isLocal ? .disable : .prefer
        }
        if let size = query["pool_size"] {
            guard let value = Int(size), (1...1000).contains(value) else {
                throw Malformed(reason: "pool_size '\(size)' is not a number of connections from 1 to 1000")
            }
            poolSize = value
        }
        for name in query.keys where !["host", "sslmode", "pool_size"].contains(name) {
            throw Malformed(reason: "the parameter '\(name)' is not supported (host, sslmode, pool_size are)")
        }
    }

    /// The address without its password.
    public var description: String {
        let place = host.map { "\($0):\(port)" } ?? ""
        let socket = socketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(user)@\(place)/\(database)\(socket)"
    }

    /// The same server and database as another user (the writer role, say).
    public func asUser(_ user: String, password: String? = nil) -> PostgresLocation {
        var copy = self
        copy.user = user
        copy.password = password
        return copy
    }

    /// The server's Unix socket when the address names no host (libpq's default directory unless `?host=`).
    private var socketPath: String { "\(socketDirectory ?? "/var/run/postgresql")/.s.PGSQL.\(port)" }

    /// The connection's configuration for postgres-nio.
    func configuration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let host {
            let tls: PostgresConnection.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = PostgresConnection.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
        } else {
            configuration = PostgresConnection.Configuration(
                unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The pool's configuration for postgres-nio's `PostgresClient` (the same server, user and TLS).
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let host {
            let tls: PostgresClient.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
        } else {
            configuration = PostgresClient.Configuration(
                unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Why an address was refused.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "malformed PostgreSQL address: \(reason)" }
    }
}
