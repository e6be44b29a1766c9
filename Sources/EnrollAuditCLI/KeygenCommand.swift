import ArgumentParser
import EventStore
import Foundation

extension EnrollAudit {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the Ed25519 key that signs checkpoints.",
            discussion: """
                Writes the private key to FILE (mode 0600, never over an existing file) and the verifier key, \
                the one line an auditor needs, to FILE.pub. Both in the C2SP signed-note encoding; the key \
                name is the log's origin (a schema-less URL such as example.com/enrollment-audit).
                """)

        @Option(help: ArgumentHelp("The log's name, written on every checkpoint.", valueName: "name"))
        var origin: String

        @Option(help: ArgumentHelp("Where to write the private key (and FILE.pub).", valueName: "file"))
        var out: String

        func run() throws {
            let signer = try NoteSigner(generatingFor: origin)
            try KeyFile.create(out, contents: signer.encoded + "\n", mode: 0o600)
            try KeyFile.create(out + ".pub", contents: signer.verifier.encoded + "\n", mode: 0o644)
            print("private key: \(out) (keep it secret)")
            print("verifier key: \(out).pub")
            print(signer.verifier.encoded)
        }
    }
}

/// Reading and writing key and checkpoint files.
enum KeyFile {
    /// Creates `path` with `contents`, refusing to replace an existing file.
    static func create(_ path: String, contents: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CLIFailure(.badInput, "error: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(contents.utf8))
            try handle.synchronize()
            try handle.close()
        } catch {
            throw CLIFailure(.storeUnwritable, "error: cannot write \(path): \(error)")
        }
    }

    /// The text of a small file (a key, a checkpoint), or a clear error naming it.
    static func read(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure(.badInput, "error: cannot read the \(what) \(path)")
        }
        guard data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure(.badInput, "error: \(path) is not a \(what)")
        }
        return text
    }

    static func signer(_ path: String) throws -> NoteSigner {
        do {
            return try NoteSigner(encoded: try read(path, what: "signing key"))
        } catch let error as ProofError {
            throw CLIFailure(.badInput, "error: \(path): \(error)")
        }
    }

    static func verifier(_ path: String) throws -> NoteVerifier {
        do {
            return try NoteVerifier(encoded: try read(path, what: "verifier key"))
        } catch let error as ProofError {
            throw CLIFailure(.badInput, "error: \(path): \(error)")
        }
    }
}
