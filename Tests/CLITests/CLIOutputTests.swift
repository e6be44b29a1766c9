import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Colour only on a terminal, never in a pipe or with NO_COLOR; completions and help for the shell.
struct CLIOutputTests {
    let samples: SampleStoreFile

    init() throws {
        samples = try SampleStoreFile()
    }

    /// Every command that prints human text, as a pipe receives it.
    static let humanCommands: [[String]] = [
        ["devices", "--as-of", SampleStoreFile.asOf],
        ["show", "tom.rossi@fabrikam.com", "--as-of", SampleStoreFile.asOf],
        ["timeline", "tom.rossi@fabrikam.com", "--as-of", SampleStoreFile.asOf],
        ["timeline", "maya.haddad@contoso.com"], ["stats", "--by", "day"], ["verify"],
    ]

    @Test func pipedOutputHasNoEscapes() throws {
        for command in Self.humanCommands {
            let result = try samples.run(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stdout.isEmpty)
            #expect(!result.hasEscapes, "\(command)")
        }
    }

    @Test func aTerminalGetsColourUnlessNOCOLORIsSet() throws {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        try #require(FileManager.default.isExecutableFile(atPath: script.path), "util-linux script(1) gives a pty")
        func onTerminal(_ environment: [String: String]) throws -> String {
            let command = [
                CommandLineTool.executable.path, "timeline", "tom.rossi@fabrikam.com", "--store", samples.path,
            ]
            let process = Process()
            process.executableURL = script
            process.arguments = ["-qec", command.joined(separator: " "), "/dev/null"]
            var env = ProcessInfo.processInfo.environment
            env["NO_COLOR"] = nil
            env["TERM"] = "xterm-256color"
            env.merge(environment) { $1 }
            process.environment = env
            let output = Pipe()
            process.standardOutput = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return String(decoding: data, as: UTF8.self)
        }
        let coloured = try onTerminal([:])
        #expect(coloured.contains("\u{1B}[1mEnrollment UE-b12e67531613\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[33m      hint: "))
        let plain = try onTerminal(["NO_COLOR": "1"])
        #expect(plain.contains("Enrollment UE-b12e67531613"))
        #expect(!plain.contains("\u{1B}["))
        #expect(!(try onTerminal(["TERM": "dumb"])).contains("\u{1B}["))
        // no-color.org: an empty NO_COLOR does not count.
        #expect(try onTerminal(["NO_COLOR": ""]).contains("\u{1B}[1m"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func shellCompletionsAreGenerated(_ shell: String) throws {
        let result = try CommandLineTool.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        for command in ["devices", "timeline", "stats", "export"] {
            #expect(result.stdout.contains(command), "\(shell) completes \(command)")
        }
        #expect(result.stdout.contains("stalled-for"))
    }

    @Test func helpAndVersionGoToStdoutAndExitZero() throws {
        let help = try CommandLineTool.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("SUBCOMMANDS:"))
        #expect(help.stderr.isEmpty)
        let version = try CommandLineTool.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.split(separator: ".").count == 3)
    }
}
