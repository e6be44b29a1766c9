extension EventCatalogue {
    /// The catalogue as Markdown: the generated part of `docs/events.md`.
    public static var markdownReference: String {
        var text = ""
        for spec in all {
            text += "### `\(spec.name)`\n\n"
            text += "*\(spec.step)* · schema version \(spec.version)\n\n\(spec.summary)\n\n"
            if spec.fields.isEmpty {
                text += "No `data` members.\n\n"
            } else {
                text += "| `data` member | kind | required | meaning |\n|---|---|---|---|\n"
                for field in spec.fields {
                    let summary = field.summary.replacingOccurrences(of: "|", with: "\\|")
                    text +=
                        "| `\(field.name)` | \(field.kind.rawValue) | \(field.required ? "yes" : "no") | \(summary) |\n"
                }
                text += "\n"
            }
            if !spec.requiresOneOf.isEmpty {
                text +=
                    "At least one of \(spec.requiresOneOf.map { "`\($0)`" }.joined(separator: ", ")) is required.\n\n"
            }
            if spec.version > 1 {
                text += "Older versions are upcast on read; see the upcasting section above.\n\n"
            }
        }
        return text
    }
}
