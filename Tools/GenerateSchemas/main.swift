import EnrollmentDomain
import Foundation

// Writes Schema/events/<type>.json for every catalogue type and the generated reference section of
// docs/events.md. Run with `make schemas`; CI fails when the committed files drift from the code.
let root = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ".")
let schemas = root.appendingPathComponent("Schema/events")
try FileManager.default.createDirectory(at: schemas, withIntermediateDirectories: true)
for spec in EventCatalogue.all {
    let file = schemas.appendingPathComponent("\(spec.name).json")
    try spec.jsonSchema.prettyString.write(to: file, atomically: true, encoding: .utf8)
}
let docs = root.appendingPathComponent("docs/events.md")
let marker = "<!-- generated from EventCatalogue: do not edit below; run `make schemas` -->\n"
let existing = (try? String(contentsOf: docs, encoding: .utf8)) ?? marker
let head = existing.components(separatedBy: marker).first ?? existing
try (head + marker + "\n" + EventCatalogue.markdownReference).write(to: docs, atomically: true, encoding: .utf8)
print("wrote \(EventCatalogue.all.count) schemas and docs/events.md")
