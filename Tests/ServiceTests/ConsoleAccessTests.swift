import Foundation
import TestSupport
import Testing

/// The console's sign-in: a read token exchanged for a strict session cookie; 401 without one; the
/// security headers on every response.
struct ConsoleAccessTests {
    @Test func aReadTokenIsExchangedForAStrictSessionCookieThatOpensThePagesUntilSignOut() async throws {
        try await ConsoleClient.with { console in
            let anonymous = try await console.get("/console")
            #expect(anonymous.status == 401)
            let form = try await HTMLFacts(anonymous.text)
            #expect(
                form.elements("input").contains {
                    $0.attribute("name") == "token" && $0.attribute("type") == "password"
                })
            #expect(form.elements("form").first?.attribute("method") == "post")

            for wrong in ["not-a-token-at-all-0000", ConsoleClient.ingestToken, ""] {
                let refused = try await console.post("/console/login", [("token", wrong)])
                #expect(refused.status == 401, "\(wrong)")
                #expect(refused.headers.first(name: "Set-Cookie") == nil)
            }

            let accepted = try await console.post("/console/login", [("token", ConsoleClient.readToken)])
            #expect(accepted.status == 303)
            #expect(accepted.headers.first(name: "Location") == "/console")
            let setCookie = try #require(accepted.headers.first(name: "Set-Cookie"))
            let attributes = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(attributes.contains("HttpOnly"))
            #expect(attributes.contains("Secure"))
            #expect(attributes.contains("SameSite=Strict"))
            #expect(attributes.contains("Path=/console"))
            #expect(setCookie.contains(ConsoleClient.readToken) == false, "the cookie is not the token")

            let session = try await console.signedIn()
            let page = try await session.get("/console")
            #expect(page.status == 200)
            #expect(try await HTMLFacts(page.text).elements("input").contains { $0.attribute("name") == "q" })

            let signedOut = try await session.post("/console/logout", [])
            #expect(signedOut.status == 303)
            #expect(signedOut.headers.first(name: "Set-Cookie")?.contains("Max-Age=0") == true)
            let afterSignOut = try await session.get("/console")
            #expect(afterSignOut.status == 401, "the old cookie no longer opens a page")
        }
    }

    @Test func theAPIsBearerHeaderOpensTheConsoleAndATokenWithoutTheReadScopeIsForbidden() async throws {
        try await ConsoleClient.with { console in
            var forged = console
            forged.cookie = String(repeating: "ab", count: 32)
            let statuses = [
                try await console.get("/console", headers: [Headers.bearer(ConsoleClient.readToken)]).status,
                try await console.get("/console", headers: [Headers.bearer(ConsoleClient.ingestToken)]).status,
                try await console.get("/console", headers: [Headers.bearer("unknown-token-0123456789")]).status,
                try await forged.get("/console").status,
                try await console.post("/console/search", [("q", "a")]).status,
            ]
            #expect(statuses == [200, 403, 401, 401, 401])
        }
    }

    @Test func everyConsoleResponseCarriesTheSecurityHeadersAndNoInlineScriptOrStyle() async throws {
        let someEnrollment = "UE-a541bf7110fe"
        try await ConsoleClient.with { console in
            try await console.ingest(try Fixtures.lines("native.ndjson"))
            let session = try await console.signedIn()
            var answers: [(String, HTTPAnswer)] = [
                ("anonymous", try await console.get("/console")),
                ("login", try await console.get("/console/login")),
                ("css", try await console.get("/console/console.css")),
                ("search form", try await session.get("/console")),
                ("results", try await session.post("/console/search", [("q", "omar")])),
                ("enrollment", try await session.get("/console/enrollments/UE-a541bf7110fe")),
                ("unknown enrollment", try await session.get("/console/enrollments/UE-nobody")),
                ("unknown page", try await session.get("/console/no/such/page")),
                ("search by GET", try await session.get("/console/search")),
                ("queues", try await session.get("/console/queues?view=failed")),
                ("bad filter", try await session.get("/console/queues?state=stuck")),
                ("dashboard", try await session.get("/console/dashboard")),
                ("js", try await console.get("/console/console.js")),
                ("export", try await session.get("/console/export?id=\(someEnrollment)")),
            ]
            answers.append(("refused sign-in", try await console.post("/console/login", [("token", "x")])))
            for (name, answer) in answers {
                let policy = try #require(answer.headers.first(name: "Content-Security-Policy"), "\(name)")
                #expect(policy.contains("default-src 'self'"), "\(name)")
                #expect(policy.contains("frame-ancestors 'none'"), "\(name)")
                #expect(policy.contains("unsafe-inline") == false, "\(name)")
                #expect(answer.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(name)")
                #expect(answer.headers.first(name: "Referrer-Policy") == "no-referrer", "\(name)")
                guard !["css", "js", "export"].contains(name) else { continue }
                #expect(answer.headers.first(name: "Content-Type") == "text/html; charset=utf-8", "\(name)")
                let facts = try await HTMLFacts(answer.text)
                // The one script is the console's file; no script or style is inline.
                #expect(facts.elements("script").allSatisfy { $0.attribute("src") == "/console/console.js" }, "\(name)")
                #expect(facts.elements("style").isEmpty, "\(name)")
                #expect(facts.elements.allSatisfy { !$0.attributes.contains { $0.name.hasPrefix("on") } }, "\(name)")
                #expect(facts.elements.allSatisfy { $0.attribute("style") == nil }, "\(name)")
                #expect(facts.elements("link").contains { $0.attribute("href") == "/console/console.css" }, "\(name)")
            }
            let statuses = answers.map(\.1.status)
            #expect(statuses == [401, 200, 200, 200, 200, 200, 404, 404, 404, 200, 400, 200, 200, 200, 401])
            let css = try #require(answers.first { $0.0 == "css" }?.1)
            #expect(css.headers.first(name: "Content-Type") == "text/css; charset=utf-8")
            #expect(css.text.contains(".badge"))
            let script = try #require(answers.first { $0.0 == "js" }?.1)
            #expect(script.headers.first(name: "Content-Type") == "text/javascript; charset=utf-8")
            #expect(script.text.contains("EventSource"))
        }
    }
}
