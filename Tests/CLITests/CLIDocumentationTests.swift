import Foundation
import TestSupport
import Testing

/// docs/cli.md cannot drift from `--help`: every subcommand has a section naming every option it takes.
struct CLIDocumentationTests {
    static let manual = Fixtures.packageRoot.appendingPathComponent("docs/cli.md")

    /// The subcommands the root `--help` lists.
    static func subcommands() throws -> [String] {
        let help = try CommandLineTool.run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:\n").last)
        // `  name   abstract`, its wrapped lines indented further; the list ends at the first unindented line.
        return section.split(separator: "\n").prefix { $0.hasPrefix(" ") }.filter {
            $0.hasPrefix("  ") && $0.dropFirst(2).first?.isLowercase == true
        }.compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The option and flag names (`--store`, `-o`) and arguments (`<id>`) a command's help lists.
    static func names(inHelpOf command: String) throws -> [String] {
        let result = try CommandLineTool.run(["help", command])
        #expect(result.status == 0, "\(command): \(result.stderr)")
        var names: [String] = []
        // Entries start two spaces in with `-` or `<`; wrapped descriptions start far to the right.
        for line in result.stdout.split(separator: "\n") {
            guard line.hasPrefix("  "), let first = line.dropFirst(2).first, first == "-" || first == "<" else {
                continue
            }
            let column = line.dropFirst(2).components(separatedBy: "  ")[0]
            for token in column.split(whereSeparator: { $0 == " " || $0 == "," }) {
                if token.hasPrefix("-") || (first == "<" && token.hasPrefix("<")) { names.append(String(token)) }
            }
        }
        // Every command has these; the introduction of docs/cli.md documents them once.
        return names.filter { !["-h", "--help", "--version"].contains($0) }
    }

    /// The text of `## \`command\`` up to the next `## `.
    static func section(_ command: String, of manual: String) -> String? {
        guard let start = manual.range(of: "\n## `\(command)`\n") else { return nil }
        let rest = manual[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    /// Whether `name` occurs in `text` as a whole name (`--since`, not only `--since-x`).
    static func mentions(_ text: String, _ name: String) -> Bool {
        var search = text[...]
        while let range = search.range(of: name) {
            let next = search[range.upperBound...].first
            if next.map({ !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) ?? true { return true }
            search = search[range.upperBound...]
        }
        return false
    }

    @Test func everySubcommandHasASectionNamingEveryOptionItsHelpLists() throws {
        let manual = try String(contentsOf: Self.manual, encoding: .utf8)
        let commands = try Self.subcommands()
        #expect(
            Set(commands)
                == [
                    "ingest", "append", "devices", "show", "timeline", "stats", "export", "verify", "rebuild", "tail",
                    "serve", "demo", "keygen", "checkpoint", "backup", "import", "copy",
                ])
        for command in commands {
            let section = try #require(Self.section(command, of: manual), "docs/cli.md has no section for \(command)")
            let names = try Self.names(inHelpOf: command)
            // keygen makes a key file and touches no store; copy names its two stores with --from and --to.
            #expect(names.contains("--store") || ["keygen", "copy"].contains(command), "\(command): \(names)")
            for name in names {
                #expect(Self.mentions(section, name), "docs/cli.md's section on \(command) does not mention \(name)")
            }
            #expect(section.contains("```console\n$ enroll-audit \(command)"), "\(command) has an example")
        }
        for name in ["-h, --help", "--version", "--generate-completion-script", "NO_COLOR", "exit"] {
            #expect(manual.contains(name))
        }
    }

    @Test func theDriftCheckSeesAnUndocumentedOption() throws {
        let section = "`enroll-audit tail [--after POSITION] [--follow]`"
        #expect(!Self.mentions(section, "--limit"))
        #expect(!Self.mentions("--limits", "--limit"))
        #expect(Self.mentions(section, "--after"))
        #expect(try Self.names(inHelpOf: "export").contains("-o"))
        #expect(try Self.names(inHelpOf: "show").contains("<id>"))
    }
}
