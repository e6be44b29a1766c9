/// The plain text "copy as text for a ticket" puts on the clipboard: the header, the problem with its
/// cause and fix, every id, and the latest timeline entries. Rendered on the server from the view's
/// values (control and bidirectional characters already visible as escapes), shown in the page, and
/// copied by `console.js`.
enum TicketText {
    /// The most timeline entries the text carries (the latest).
    static let entryLimit = 15

    static func make(_ view: EnrollmentView) -> String {
        let row = view.summary
        var lines = [
            "Enrollment \(row.enrollment)",
            "User: \(row.user ?? "unknown")",
            "State: \(row.state)\(row.stalled ? " (stalled \(row.stalledFor ?? ""))" : "")",
            "Furthest step: \(row.step)",
            "Model: \(row.model ?? "unknown"), OS \(view.osVersion ?? "unknown")",
            "First seen: \(view.firstSeen); last seen: \(row.lastSeen); \(view.events) events",
        ]
        if let problem = view.problem {
            lines.append("Problem: \(problem.what): \(problem.reason)\(problem.at.map { " at \($0)" } ?? "")")
            if let cause = problem.cause { lines.append("Cause: \(cause)") }
            if let fix = problem.fix { lines.append("Fix: \(fix)") }
        }
        lines.append("Known by: " + view.ids.map { "\($0.kind) \($0.value)" }.joined(separator: ", "))
        let shown = view.entries.suffix(entryLimit)
        lines.append(
            view.entries.count > shown.count
                ? "Timeline (the latest \(shown.count) of \(view.entries.count)):" : "Timeline:")
        for entry in shown {
            lines.append("  \(entry.occurredAt)  \(entry.outcome)  \(entry.label)  [\(entry.type), \(entry.source)]")
        }
        return lines.joined(separator: "\n")
    }
}
