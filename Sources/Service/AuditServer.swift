import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// The store as an HTTP service: the router on Hummingbird, the group committer, and their lifecycle.
///
/// ```swift
/// let server = try AuditServer(environment: environment)
/// try await server.run(onListening: { port in print("listening on \(port)") })   // until SIGTERM
/// ```
///
/// A graceful shutdown (SIGTERM, SIGINT, or ``triggerGracefulShutdown()``) happens in this order: event
/// streams end and `/readyz` answers 503; the server stops accepting connections and finishes the
/// requests in flight, whose commits the writer completes and answers; then the writer stops.
public final class AuditServer: Sendable {
    public let environment: ServiceEnvironment
    let group: ServiceGroup
    let listening: ListeningBox

    /// - Parameters:
    ///   - extraRoutes: more route groups mounted beside the service's own (see ``ServiceRoutes``).
    ///   - gracefulShutdownSignals: the signals that start a graceful shutdown. The default is SIGTERM and
    ///     SIGINT.
    /// - Throws: ``ServiceError`` for an insecure or invalid configuration, or TLS files that do not load.
    public init(
        environment: ServiceEnvironment, extraRoutes: [any ServiceRoutes] = [],
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) throws {
        let configuration = environment.configuration
        try configuration.validate()
        self.environment = environment
        let listening = ListeningBox()
        self.listening = listening
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: TimeAmount.nanoseconds(configuration.idleTimeout.nanoseconds))
        let server: HTTPServerBuilder
        if let files = configuration.tls {
            server = try .tls(.http1(configuration: http1), tlsConfiguration: try Self.tlsConfiguration(files))
        } else {
            server = .http1(configuration: http1)
        }
        let logger = environment.logger
        let app = Application(
            router: ServiceRouter.make(environment: environment, extraRoutes: extraRoutes),
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: "enroll-audit"),
            onServerRunning: { channel in await listening.announce(channel.localAddress?.port ?? 0) },
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [WriterService(environment: environment), app, StopNotifier(environment: environment)],
            gracefulShutdownSignals: gracefulShutdownSignals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.requestTimeout * 2
        group = ServiceGroup(configuration: groupConfiguration)
    }

    /// Runs until a graceful shutdown completes.
    ///
    /// - Parameter onListening: called once with the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        listening.set(onListening)
        try await group.run()
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }

    static func tlsConfiguration(_ files: ServiceConfiguration.TLSFiles) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
            let key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
            return TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch {
            throw ServiceError(
                .badTLSFiles, "cannot load the TLS certificate chain or private key (PEM): \(error)",
                file: files.certificateChain)
        }
    }
}

/// The writer thread's lifetime as a service: started first, stopped last, after the server has answered
/// every request in flight.
struct WriterService: Service {
    let environment: ServiceEnvironment

    func run() async throws {
        environment.committer.start()
        try? await gracefulShutdown()
        await environment.committer.stop()
    }
}

/// The first to hear of a graceful shutdown: marks the environment stopping, so that event streams end
/// and the server's in-flight requests can finish.
struct StopNotifier: Service {
    let environment: ServiceEnvironment

    func run() async throws {
        try? await gracefulShutdown()
        environment.markStopping()
        environment.logger.info("stopping: finishing the requests in flight")
    }
}

/// Holds the `onListening` callback until the server is up.
final class ListeningBox: Sendable {
    private let callback = NIOLockedValueBox<(@Sendable (Int) async -> Void)?>(nil)

    func set(_ body: @escaping @Sendable (Int) async -> Void) { callback.withLockedValue { $0 = body } }

    func announce(_ port: Int) async {
        let body = callback.withLockedValue { $0 }
        await body?(port)
    }
}
