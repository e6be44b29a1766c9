import ArgumentParser
import Console
import Dispatch
import EventStore
import Foundation
import Logging
import Service

extension EnrollAudit {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run the store as an HTTP service: webhooks and events in, a JSON API and Prometheus metrics out.",
            discussion: """
                Endpoints: POST /webhooks/mdm (NanoMDM/MicroMDM webhook bodies), POST /v1/events (native \
                NDJSON), POST /v1/ingest?from=FORMAT, GET /v1/enrollments, /v1/enrollments/{id}, \
                /v1/timeline/{id}, /v1/stats, /v1/export, /v1/events (Server-Sent Events), /metrics, /healthz, \
                /readyz (docs/serve.md, Schema/openapi.yaml). An ingest request is answered once its events \
                are committed to disk (SQLite: synchronous=FULL, concurrent requests share one commit; \
                PostgreSQL: committed by the server, requests queued meanwhile sharing the next one). On a PostgreSQL hot \
                standby the reads work and ingest answers 503; /readyz shows the lag. SIGTERM stops \
                accepting, finishes the requests in flight, and exits 0. Listening off loopback needs --tokens.
                Prints 'listening on URL' on standard output once it accepts connections.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(
            help: ArgumentHelp("Where to listen: HOST:PORT, [IPv6]:PORT; port 0 picks one.", valueName: "host:port"))
        var listen = "127.0.0.1:8080"

        @Option(
            help: ArgumentHelp(
                "Bearer tokens, one per line: TOKEN SCOPE[,SCOPE…] with scopes ingest, read, metrics; # comments.",
                valueName: "file"))
        var tokens: String?

        @Option(
            help: ArgumentHelp(
                "A file holding NanoMDM's -webhook-hmac-key: webhooks must then carry a matching X-Hmac-Signature.",
                valueName: "file"))
        var webhookHmacKey: String?

        @Option(help: ArgumentHelp("The TLS certificate chain (PEM); with --tls-key.", valueName: "file"))
        var tlsCert: String?

        @Option(help: ArgumentHelp("The TLS private key (PEM); with --tls-cert.", valueName: "file"))
        var tlsKey: String?

        @Option(help: ArgumentHelp("The largest request body, in bytes (413 beyond).", valueName: "bytes"))
        var maxBody = 16 << 20

        @Option(help: ArgumentHelp("Ingest requests that may wait for the writer (503 beyond).", valueName: "n"))
        var queueLimit = 4_096

        @Option(help: ArgumentHelp("The most requests one transaction commits.", valueName: "n"))
        var batchLimit = 512

        @Option(help: ArgumentHelp("How long the writer waits for more requests to commit together.", valueName: "ms"))
        var batchWaitMs = 2

        @Option(
            help: ArgumentHelp(
                "How long a request body may take to arrive before it is answered 408 and not stored (default 30s).",
                valueName: "duration"), transform: DurationArgument.parse)
        var requestTimeout = DurationArgument(milliseconds: 30_000)

        @Option(
            help: ArgumentHelp(
                "How long a connection may stay silent between requests before it is closed (default 120s; at least "
                    + "--request-timeout).", valueName: "duration"), transform: DurationArgument.parse)
        var idleTimeout = DurationArgument(milliseconds: 120_000)

        @Option(
            help: ArgumentHelp(
                "SQLite's page cache of the writer, in MiB; each of the (at most 5) readers gets a quarter "
                    + "(default 256).", valueName: "MiB"))
        var pageCacheMib = 256

        @Option(
            help: ArgumentHelp(
                "An in-progress enrollment with no step for this long is stalled (default 1h).", valueName: "duration"),
            transform: DurationArgument.parse)
        var stalledAfter: DurationArgument?

        @Option(
            help: ArgumentHelp(
                "On a read-only PostgreSQL replica: /readyz answers 503 while it lags its primary by more (default: "
                    + "no limit).", valueName: "duration"), transform: DurationArgument.parse)
        var maxReplicaLag: DurationArgument?

        @Option(
            help: ArgumentHelp(
                "Sign a new checkpoint with this key (keygen) for each GET /v1/export with proofs (else the latest recorded).",
                valueName: "file"))
        var checkpointKey: String?

        @Option(
            help: ArgumentHelp(
                "The log level on stderr: trace, debug, info, notice, warning, error.", valueName: "level"))
        var logLevel = "info"

        func validate() throws {
            guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be HOST:PORT") }
            if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("give --tls-cert and --tls-key together") }
            if maxBody <= 0 || queueLimit <= 0 || batchLimit <= 0 || batchWaitMs < 0 || pageCacheMib < 4 {
                throw ValidationError(
                    "--max-body, --queue-limit and --batch-limit must be positive, --batch-wait-ms not negative, "
                        + "--page-cache-mib at least 4")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("unknown --log-level \(logLevel)")
            }
        }

        func run() throws {
            var configuration = ServiceConfiguration()
            configuration.listen = ListenAddress(listen)!
            configuration.maximumBodyBytes = maxBody
            configuration.queueCapacity = queueLimit
            configuration.maximumBatchRequests = batchLimit
            configuration.maximumBatchWait = .milliseconds(batchWaitMs)
            configuration.requestTimeout = .milliseconds(requestTimeout.milliseconds)
            configuration.idleTimeout = .milliseconds(idleTimeout.milliseconds)
            configuration.stalledAfterSeconds = Double(stalledAfter?.milliseconds ?? 3_600_000) / 1000
            configuration.maximumReplicaLag = maxReplicaLag.map { .milliseconds($0.milliseconds) }
            do {
                configuration.tokens = try tokens.map(AccessTokens.load(path:))
                configuration.webhookHMACKey = try webhookHmacKey.map(Self.readKey)
                configuration.checkpointSigner = try checkpointKey.map(KeyFile.signer)
                if let tlsCert, let tlsKey {
                    configuration.tls = ServiceConfiguration.TLSFiles(certificateChain: tlsCert, privateKey: tlsKey)
                }
                try configuration.validate()
            } catch let error as ServiceError {
                throw CLIFailure(.usage, "error: \(error)")
            }
            var logger = Logger(label: "enroll-audit.serve")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let (store, close) = try openServiceStore(configuration, logger: logger)
            let environment = ServiceEnvironment(store: store, configuration: configuration, logger: logger)
            let server: AuditServer
            do {
                // A replicating store's role now, so that a standby refuses ingest from the first request.
                _ = try BlockingRun.value { try await environment.replicaStatus() }
                server = try AuditServer(environment: environment, extraRoutes: [try ConsoleRoutes()])
            } catch let error as ServiceError {
                _ = BlockingRun.wait(close)
                throw CLIFailure(.usage, "error: \(error)")
            } catch {
                _ = BlockingRun.wait(close)
                throw error
            }
            let scheme = configuration.tls == nil ? "http" : "https"
            let host =
                configuration.listen.host.contains(":") ? "[\(configuration.listen.host)]" : configuration.listen.host
            let outcome = BlockingRun.wait {
                try await server.run { port in
                    // Informational: a closed standard output must not stop the service.
                    try? Terminal.standardOutput("listening on \(scheme)://\(host):\(port)\n")
                }
            }
            _ = BlockingRun.wait(close)
            if case .failure(let error) = outcome {
                throw CLIFailure(.storeUnwritable, "error: the service failed: \(error)")
            }
        }

        /// The HMAC key: the file's bytes, without a final line break (as `-webhook-hmac-key` takes it).
        static func readKey(_ path: String) throws -> [UInt8] {
            guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
                throw ServiceError(.badKeyFile, "cannot read the HMAC key file", file: path)
            }
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            guard !bytes.isEmpty else { throw ServiceError(.badKeyFile, "the HMAC key file is empty", file: path) }
            return bytes
        }
    }
}
