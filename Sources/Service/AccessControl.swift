import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Who may call what: bearer tokens with scopes, and NanoMDM's HMAC signature for webhooks.
///
/// A token comes as `Authorization: Bearer TOKEN`, or as the password of HTTP Basic authentication (what a
/// webhook URL such as `https://hook:TOKEN@audit.example/webhooks/mdm` sends). Without tokens configured
/// every request is allowed (``ServiceConfiguration/validate()`` permits that on loopback only).
public struct AccessControl: Sendable {
    public let tokens: AccessTokens?
    public let webhookKey: SymmetricKey?

    public init(tokens: AccessTokens?, webhookHMACKey: [UInt8]?) {
        self.tokens = tokens
        self.webhookKey = webhookHMACKey.map { SymmetricKey(data: $0) }
    }

    /// The middleware that lets through requests whose token has `scope` (401 without a known token, 403
    /// with a token that lacks the scope).
    public func require<Context: RequestContext>(_ scope: Scope, context: Context.Type = Context.self)
        -> TokenMiddleware<Context>
    {
        TokenMiddleware(access: self, scope: scope)
    }

    /// Checks a request's token for `scope`.
    ///
    /// - Throws: a 401 or 403 ``Problem``.
    public func authorize(_ request: Request, scope: Scope) throws {
        guard let tokens else { return }
        guard let token = Self.token(in: request), let scopes = tokens.scopes(of: token) else {
            throw Problem(
                .unauthorized, kind: "unauthorized", title: "A valid token is required",
                detail: "send Authorization: Bearer TOKEN with a token of the '\(scope.rawValue)' scope",
                headers: [.wwwAuthenticate: "Bearer realm=\"enroll-audit\""])
        }
        guard scopes.contains(scope) else {
            throw Problem(
                .forbidden, kind: "forbidden", title: "The token lacks the scope",
                detail: "this endpoint needs the '\(scope.rawValue)' scope")
        }
    }

    /// Checks a webhook's `X-Hmac-Signature` (base64 HMAC-SHA256 of the body, as NanoMDM's
    /// `-webhook-hmac-key` sends) when a key is configured. Without a key, webhooks follow the token rules
    /// of the `ingest` scope instead (checked before the body is read).
    ///
    /// - Throws: a 401 ``Problem``.
    public func verifyWebhookSignature(_ request: Request, body: [UInt8]) throws {
        guard let webhookKey else { return }
        guard let header = request.headers[Self.signatureHeader] else {
            throw Self.badSignature("the X-Hmac-Signature header is missing")
        }
        guard let signature = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)) else {
            throw Self.badSignature("the X-Hmac-Signature header is not base64")
        }
        // HMAC's own validation compares in constant time.
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: webhookKey) else {
            throw Self.badSignature("the X-Hmac-Signature does not match the body")
        }
    }

    /// `X-Hmac-Signature`, NanoMDM's header.
    public static let signatureHeader = HTTPField.Name("X-Hmac-Signature")!

    static func badSignature(_ detail: String) -> Problem {
        Problem(
            .unauthorized, kind: "bad-signature", title: "The webhook signature is missing or wrong", detail: detail)
    }

    /// The token of a request: Bearer, or the password of Basic.
    static func token(in request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        if scheme == "bearer" { return credentials }
        if scheme == "basic", let decoded = Data(base64Encoded: credentials),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        {
            return String(text[text.index(after: colon)...])
        }
        return nil
    }
}

/// Lets a request through when its token has the scope; see ``AccessControl/require(_:context:)``.
public struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: AccessControl
    let scope: Scope

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try access.authorize(request, scope: scope)
        return try await next(request, context)
    }
}
