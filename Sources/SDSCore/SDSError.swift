/// What went wrong, in the terms the exit-code table maps.
public enum ErrorKind: String, Sendable {
    /// Bad command line or a command that does not apply here.
    case usage
    /// Input data or a stored file that does not parse or verify.
    case badData
    /// The operating system refused a read or write.
    case io
    /// Try again later: the store lock timed out, or a file changed while being read.
    case busy
    /// Refused to act because it would lose data (use --force).
    case conflict
    /// No store, repository, revision or object where one was expected.
    case notFound
    /// A bug in sds.
    case `internal`
    /// Stopped by a signal.
    case interrupted
    /// A user command (a `run:` step) failed, or broke its contract: changed its inputs, wrote no output.
    case commandFailed
}

/// An error with a sentence for the user, an optional hint, and an optional data location.
///
/// Data errors print compiler-style (`file:line:col: error: …`); others print the message
/// then `hint: …`.
public struct SDSError: Error, CustomStringConvertible, Sendable {
    public var kind: ErrorKind
    public var message: String
    public var hint: String?
    public var path: String?
    public var line: Int?
    public var column: Int?
    public var sourceLocation: String

    public init(
        _ kind: ErrorKind, _ message: String, hint: String? = nil,
        path: String? = nil, line: Int? = nil, column: Int? = nil,
        fileID: String = #fileID, sourceLine: Int = #line
    ) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.path = path
        self.line = line
        self.column = column
        self.sourceLocation = "\(fileID):\(sourceLine)"
    }

    /// An operating-system failure, with the errno text.
    public static func io(_ what: String, path: String, errno code: Int32, hint: String? = nil,
                          fileID: String = #fileID, sourceLine: Int = #line) -> SDSError {
        SDSError(.io, "\(what) '\(path)': \(errnoText(code))",
                 hint: hint ?? (code == ENOSPC ? "the disk is full: free some space and run the command again" : nil),
                 fileID: fileID, sourceLine: sourceLine)
    }

    public var description: String {
        var head = ""
        if let path {
            head = path
            if let line { head += ":\(line)" ; if let column { head += ":\(column)" } }
            head += ": "
        }
        var text = "\(head)error: \(message)"
        if kind == .internal { text += " (internal error at \(sourceLocation); please file a bug)" }
        if let hint { text += "\nhint: \(hint)" }
        return text
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's text for an errno value.
public func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
