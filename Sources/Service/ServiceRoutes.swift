import Hummingbird

/// The request context of every route of the service.
public typealias ServiceRequestContext = BasicRequestContext

/// A group of routes mounted on the service's router. The service's own endpoints are such groups; another
/// (a support console) mounts beside them with the same environment and the same token checks
/// (`environment.access.require(.read)`).
public protocol ServiceRoutes: Sendable {
    /// Adds the routes to `router`.
    func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment)
}

/// Builds the service's router.
public enum ServiceRouter {
    /// The service's own route groups, in the order they are mounted.
    public static let standardRoutes: [any ServiceRoutes] = [
        HealthRoutes(), IngestRoutes(), ReadRoutes(), EventStreamRoutes(), MetricsRoutes(),
    ]

    /// A router with every standard route, the request log and metrics, problem-details errors, and
    /// `extraRoutes` mounted after them.
    public static func make(
        environment: ServiceEnvironment, extraRoutes: [any ServiceRoutes] = []
    ) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: RequestObserver(metrics: environment.metrics))
        router.add(middleware: ProblemMiddleware())
        for routes in standardRoutes + extraRoutes { routes.register(on: router, environment: environment) }
        return router
    }
}
