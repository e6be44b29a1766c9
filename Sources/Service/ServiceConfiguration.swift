import EventStore
import Foundation

/// How `serve` runs: where it listens, its limits, and who may call it.
public struct ServiceConfiguration: Sendable {
    /// Where to listen. The default is `127.0.0.1:8080`.
    public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    /// The bearer tokens and their scopes. `nil` (the default): no authentication, allowed on loopback only.
    public var tokens: AccessTokens?
    /// The key NanoMDM signs webhook bodies with (`-webhook-hmac-key`). `nil` (the default): webhooks are
    /// not signed, and need a token with the `ingest` scope when tokens are configured.
    public var webhookHMACKey: [UInt8]?
    /// The PEM certificate chain and private key for TLS. `nil` (the default): plain HTTP.
    public var tls: TLSFiles?
    /// The largest request body accepted, in bytes (413 beyond). The default is 16 MiB.
    public var maximumBodyBytes = 16 << 20
    /// How many ingest requests may wait for the writer before new ones get 503. The default is 4,096.
    public var queueCapacity = 4_096
    /// The most requests one transaction commits. The default is 512.
    public var maximumBatchRequests = 512
    /// How long the writer waits for more requests once it has some, before it commits. The default is 2 ms.
    public var maximumBatchWait: Duration = .milliseconds(2)
    /// How long a request body may take to arrive, from its headers to its last byte. A body not in by then
    /// is answered 408 (RFC 9110) with `Connection: close`, and nothing of it is stored. The default is 30
    /// seconds.
    public var requestTimeout: Duration = .seconds(30)
    /// How long a connection may send nothing before it is closed: a keep-alive connection between requests,
    /// or one that stops in the middle of its headers. At least ``requestTimeout`` (so that a stalled body
    /// is answered 408 before its connection is closed). The default is 120 seconds, above the 90 s after which
    /// Go's HTTP client (NanoMDM's) drops an idle connection itself.
    public var idleTimeout: Duration = .seconds(120)
    /// An `in_progress` enrollment with no step for this long is stalled. The default is one hour.
    public var stalledAfterSeconds: Double = 3600
    /// Seconds a client is told to wait (`Retry-After`) when the writer is behind. The default is 1.
    public var retryAfterSeconds = 1
    /// The log's key (`--checkpoint-key`): `GET /v1/export` with proofs signs a new checkpoint with it for each
    /// export (stating the export's events). `nil` (the default): proofs are against the latest checkpoint
    /// the store recorded, and an export with proofs is refused (409) when there is none recent enough.
    public var checkpointSigner: NoteSigner?
    /// On a read-only replica: the lag (``ReplicationStatus/lagMilliseconds``) beyond which `/readyz` answers 503,
    /// so that a load balancer sends reads elsewhere. `nil` (the default): any lag is ready.
    public var maximumReplicaLag: Duration?

    public init() {}

    /// The PEM files of `--tls-cert` and `--tls-key`.
    public struct TLSFiles: Sendable {
        public var certificateChain: String
        public var privateKey: String

        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    /// Refuses configurations that would expose the store: listening off loopback without tokens.
    ///
    /// - Throws: ``ServiceError`` (`insecure_listen`).
    public func validate() throws {
        if tokens == nil && !listen.isLoopback {
            throw ServiceError(
                .insecureListen,
                "listening on \(listen) without --tokens would let anyone on the network read and write the store; "
                    + "give --tokens FILE, or listen on 127.0.0.1")
        }
        if maximumBodyBytes <= 0 || queueCapacity <= 0 || maximumBatchRequests <= 0 {
            throw ServiceError(.invalidConfiguration, "the body limit, queue capacity and batch size must be positive")
        }
        if requestTimeout <= .zero || idleTimeout < requestTimeout {
            throw ServiceError(
                .invalidConfiguration,
                "the request timeout must be positive and the idle timeout at least the request timeout")
        }
    }
}

/// A `HOST:PORT` to listen on (`[::1]:8080` for IPv6; port 0 picks a free port).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback).
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        guard !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        self.init(host: host, port: port)
    }

    /// Whether only this machine can connect: `127.0.0.0/8`, `::1` or `localhost`.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
