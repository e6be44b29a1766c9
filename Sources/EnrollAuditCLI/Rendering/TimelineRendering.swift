import EnrollmentDomain
import Export
import Projections

/// How `timeline` prints entries.
enum TimelineRendering {
    static let csvColumns = [
        "enrollment", "position", "event_id", "stream", "type", "occurred_at", "recorded_at", "label", "outcome",
        "gap_s", "hint",
    ]

    static func json(_ entry: TimelineEntry) -> JSONValue { entry.json }

    static func document(subject: String, statuses: [DeviceStatus], entries: [TimelineEntry]) -> JSONValue {
        TimelineEntry.document(subject: subject, statuses: statuses, entries: entries)
    }

    /// CSV cells are neutralised against formula injection unless `rawCSV` (``CSV``).
    static func csv(_ entries: [TimelineEntry], rawCSV: Bool = false) -> String {
        CSV.record(csvColumns)
            + entries.map { entry in
                CSV.record(
                    [
                        entry.enrollment, String(entry.position), entry.eventID.lowercasedString, entry.stream,
                        entry.type,
                        entry.occurredAt.iso8601, entry.recordedAt.iso8601, entry.label, entry.outcome.rawValue,
                        entry.gapSeconds.map { String($0) } ?? "", entry.hint?.text ?? "",
                    ], neutralizingFormulas: !rawCSV)
            }.joined()
    }

    /// The support-note form: a header per enrollment, a line per event, the hint under each failure.
    /// Every value is shown with its control and format characters escaped (``TerminalText``).
    static func text(subject: String, statuses: [DeviceStatus], entries: [TimelineEntry], color: Bool) -> String {
        let style = Style(enabled: color)
        let shown = TerminalText.escaped
        var out = "Timeline of \(shown(subject)): \(statuses.count) enrollment\(statuses.count == 1 ? "" : "s")\n"
        for status in statuses {
            var state = status.state.rawValue
            if let stalled = status.stalledForSeconds {
                state += ", stalled \(HumanDuration.format(stalled)) (no step since \(status.lastStepAt.iso8601))"
            }
            if let failure = status.failure {
                state += " at \(failure.step.rawValue): \(shown(failure.reason))"
            } else if let why = DeviceRendering.whyText(status) {
                state += "; last problem \(shown(why))"
            }
            out += "\n" + style.bold("Enrollment \(shown(status.enrollment))")
            out +=
                " (\(shown(status.user ?? "unknown user")))  \(state); furthest step \(status.step?.rawValue ?? "none")\n"
            out += "  ids: \(shown(DeviceRendering.uniqueIDs(status).joined(separator: ", ")))\n"
            for hint in DeviceRendering.conflictHints(status) { out += style.yellow("  \(shown(hint))") + "\n" }
            for entry in entries where entry.enrollment == status.enrollment {
                let gap = entry.gapSeconds.map { "+" + HumanDuration.format($0) } ?? ""
                let mark: String
                switch entry.outcome {
                case .ok: mark = style.green("ok    ")
                case .failed: mark = style.red("FAILED")
                case .info: mark = "info  "
                }
                out += "  \(entry.occurredAt.iso8601)  \(gap)\(String(repeating: " ", count: max(2, 9 - gap.count)))"
                out += "\(mark)  \(shown(entry.label))  [\(shown(entry.type)), \(shown(entry.source))]\n"
                if let hint = entry.hint {
                    out += style.yellow("      hint: \(shown(hint.cause))") + "\n"
                    out += style.yellow("      fix:  \(shown(hint.fix))") + "\n"
                }
            }
        }
        return out
    }
}

/// ANSI styling, only when enabled (a terminal, no `NO_COLOR`).
struct Style {
    var enabled: Bool

    func wrap(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { wrap(text, "1") }
    func red(_ text: String) -> String { wrap(text, "31") }
    func green(_ text: String) -> String { wrap(text, "32") }
    func yellow(_ text: String) -> String { wrap(text, "33") }
}
