import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's templates, embedded in the binary, and the responses they make.
///
/// Mustache's `{{value}}` escapes `<`, `>`, `&`, `"` and `'`, and the templates use no triple mustache,
/// so nothing from the store reaches the page as markup; the view models (``DisplayText``) have already
/// made control and bidirectional characters visible.
struct ConsolePages: Sendable {
    let library: MustacheLibrary

    /// The templates by name, as embedded by the package (`Templates/NAME.mustache`).
    static let templates: [String: [UInt8]] = [
        "layout-head": PackageResources.layout_head_mustache,
        "layout-foot": PackageResources.layout_foot_mustache,
        "login": PackageResources.login_mustache,
        "search": PackageResources.search_mustache,
        "enrollment": PackageResources.enrollment_mustache,
        "error": PackageResources.error_mustache,
        "queue": PackageResources.queue_mustache,
        "dashboard": PackageResources.dashboard_mustache,
        "chart": PackageResources.chart_mustache,
    ]

    /// The style sheet, served as its own file (no inline style: the CSP forbids it).
    static let styleSheet: [UInt8] = PackageResources.console_css

    /// The console's only script ("copy as text", live events), a file for the same reason.
    static let script: [UInt8] = PackageResources.console_js

    /// The icon the browser asks for (served, so that no request of a page fails).
    static let icon: [UInt8] = PackageResources.favicon_svg

    init() throws {
        var library = MustacheLibrary()
        for (name, bytes) in Self.templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// The page `template` renders from `model`.
    func render(_ model: Any, _ template: String) -> String {
        library.render(model, withTemplate: template) ?? ""
    }

    /// An HTML response.
    func html(_ page: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
