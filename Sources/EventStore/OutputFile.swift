import Foundation

/// A file (or standard output) that a command writes its result to, safely.
///
/// A path names a file that is written to a temporary file in the same directory (created `0600`,
/// whatever the umask: outputs hold personal data) and renamed into place by ``commit()``, so a failed
/// or interrupted write leaves nothing half-written and the destination untouched. An existing file is
/// refused unless `replacing` is set; a symbolic link at the last component is always refused (never
/// followed, never replaced); a directory is refused. An existing device or FIFO (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written directly, since nothing is replaced. With `inPlace`, the file
/// itself is written as it goes (the `--reject-file` of an ingest that commits in batches must keep what
/// it wrote for the batches committed), still `0600` and never through a symbolic link.
///
/// ```swift
/// let output = try OutputFile(path: "export.ndjson", replacing: force)
/// try output.write(Array("…".utf8))
/// try output.commit()
/// ```
public final class OutputFile {
    /// How messages name the destination: its path, or `standard output`.
    public let destination: String
    private var descriptor: Int32
    private let finalPath: String?
    private let temporaryPath: String?
    private let replacing: Bool
    private var finished = false

    /// Standard output, written with `write(2)`: a closed pipe is ``OutputError/Code/closedPipe``.
    public static func standardOutput() -> OutputFile { OutputFile(descriptor: STDOUT_FILENO) }

    private init(descriptor: Int32) {
        self.destination = "standard output"
        self.descriptor = descriptor
        self.finalPath = nil
        self.temporaryPath = nil
        self.replacing = false
        self.finished = true
    }

    /// Prepares `path` for writing.
    ///
    /// - Parameters:
    ///   - path: the destination.
    ///   - replacing: whether an existing regular file may be replaced (the CLI's `--force`).
    ///   - inPlace: write the file itself as it goes instead of a temporary file renamed at ``commit()``.
    /// - Throws: ``OutputError`` (`exists`, `symbolic_link`, `directory`, `cannot_create`).
    public init(path: String, replacing: Bool = false, inPlace: Bool = false) throws {
        destination = path
        finalPath = path
        self.replacing = replacing
        var status = stat()
        if lstat(path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFLNK:
                throw OutputError(.symbolicLink, destination: path)
            case S_IFDIR:
                throw OutputError(.directory, destination: path)
            case S_IFREG:
                guard replacing else { throw OutputError(.exists, destination: path) }
            default:
                // A device or a FIFO: nothing to replace, write to it as it is.
                let opened = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
                guard opened >= 0 else { throw OutputError(.cannotCreate, destination: path, errno: errno) }
                descriptor = opened
                temporaryPath = nil
                return
            }
        } else if errno != ENOENT {
            throw OutputError(.cannotCreate, destination: path, errno: errno)
        }
        if inPlace {
            let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (replacing ? O_TRUNC : O_EXCL)
            let opened = open(path, flags, 0o600)
            guard opened >= 0 else {
                throw OutputError(errno == EEXIST ? .exists : .cannotCreate, destination: path, errno: errno)
            }
            fchmod(opened, 0o600)
            descriptor = opened
            temporaryPath = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var template = Array("\(directory)/.\(url.lastPathComponent).XXXXXX".utf8CString)
        let opened = mkstemp(&template)
        guard opened >= 0 else { throw OutputError(.cannotCreate, destination: path, errno: errno) }
        _ = fcntl(opened, F_SETFD, FD_CLOEXEC)
        fchmod(opened, 0o600)
        descriptor = opened
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        discard()
    }

    /// Writes all of `bytes`, retrying short writes.
    ///
    /// - Throws: ``OutputError`` `write_failed` naming the destination and the system's reason (disk full,
    ///   I/O error), or `closed_pipe` when the reader of a pipe went away (`| head`).
    public func write(_ bytes: some Collection<UInt8>) throws {
        let written: Int32? = bytes.withContiguousStorageIfAvailable { buffer in
            Self.writeAll(descriptor, UnsafeRawBufferPointer(buffer))
        }
        let failure = written ?? Array(bytes).withUnsafeBytes { Self.writeAll(descriptor, $0) }
        if failure != 0 {
            throw OutputError(failure == EPIPE ? .closedPipe : .writeFailed, destination: destination, errno: failure)
        }
    }

    /// Writes a string's UTF-8 bytes.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0) }
    }

    /// `0`, or the `errno` of the write that failed.
    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let count = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return 0
    }

    /// Flushes what was written to disk (`fsync`); a no-op for devices and pipes.
    ///
    /// - Throws: ``OutputError`` `write_failed` when the disk refuses.
    public func synchronize() throws {
        if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS {
            throw OutputError(.writeFailed, destination: destination, errno: errno)
        }
    }

    /// Makes the written bytes the destination's: flushes them to disk and renames the temporary file into
    /// place (refusing, at that moment too, to replace a file that appeared meanwhile unless `replacing`).
    ///
    /// - Throws: ``OutputError``; the temporary file is removed and the destination left as it was.
    public func commit() throws {
        guard !finished else { return }
        finished = true
        defer { descriptor = -1 }
        guard let temporaryPath, let finalPath else {
            if close(descriptor) != 0 { throw OutputError(.writeFailed, destination: destination, errno: errno) }
            return
        }
        var failure: Int32 = 0
        if fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporaryPath)
            throw OutputError(.writeFailed, destination: destination, errno: failure)
        }
        if replacing {
            if rename(temporaryPath, finalPath) != 0 { failure = errno }
        } else if link(temporaryPath, finalPath) != 0 {
            failure = errno
        }
        unlink(temporaryPath)
        if failure == EEXIST { throw OutputError(.exists, destination: destination) }
        if failure != 0 { throw OutputError(.cannotCreate, destination: destination, errno: failure) }
        let directory = open(URL(fileURLWithPath: finalPath).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// Drops what was written: the temporary file is removed, the destination never appears.
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        descriptor = -1
        if let temporaryPath { unlink(temporaryPath) }
    }
}

/// An output could not be written: the destination and the reason, in one sentence.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file exists and replacing it was not asked for.
        public static let exists = Code(rawValue: "exists")
        /// The last component is a symbolic link: it is neither followed nor replaced.
        public static let symbolicLink = Code(rawValue: "symbolic_link")
        /// The path is a directory.
        public static let directory = Code(rawValue: "directory")
        /// The file could not be created (no such directory, permissions, a read-only file system).
        public static let cannotCreate = Code(rawValue: "cannot_create")
        /// A write failed (disk full, I/O error).
        public static let writeFailed = Code(rawValue: "write_failed")
        /// The reader of a pipe went away (`| head`): not an error for the user.
        public static let closedPipe = Code(rawValue: "closed_pipe")
    }

    public var code: Code
    /// The path, or `standard output`.
    public var destination: String
    /// The system's reason (`strerror`), when there is one.
    public var reason: String?

    public init(_ code: Code, destination: String, errno: Int32? = nil) {
        self.code = code
        self.destination = destination
        self.reason = errno.map { String(cString: strerror($0)) }
    }

    public var description: String {
        switch code {
        case .exists: "\(destination) exists; pass --force to replace it, or name another file"
        case .symbolicLink: "\(destination) is a symbolic link; name the file itself"
        case .directory: "\(destination) is a directory; name a file"
        case .cannotCreate: "cannot create \(destination): \(reason ?? "unknown reason")"
        case .closedPipe: "\(destination) was closed by its reader"
        default: "cannot write to \(destination): \(reason ?? "unknown reason")"
        }
    }
}
