import ArgumentParser
import SDSCore
import SDSStore

/// The one table of exit statuses (sysexits-style, as restic and git keep one).
///
/// | code | meaning |
/// |------|---------|
/// | 0    | success |
/// | 1    | differences or problems found (status, fsck) |
/// | 64   | usage: bad arguments, or a path sds cannot track |
/// | 65   | bad data: a file or object that does not parse or verify |
/// | 66   | not found: no store, no git repository, unknown revision, missing objects |
/// | 70   | internal error (a bug) |
/// | 73   | refused: would overwrite or delete data that is not saved (use --force) |
/// | 74   | I/O error from the operating system |
/// | 69   | cannot verify: the build was recorded with other operator versions than this sds |
/// | 75   | try again: the store is locked, or a file changed while being read |
/// | 67   | a `run:` step's command failed (non-zero exit), changed its inputs or wrote no output |
/// | 130  | interrupted |
public enum ExitStatus {
    public static let differences: Int32 = 1
    /// `sds verify`: this binary's operator versions differ from the recorded ones.
    public static let otherCodeVersions: Int32 = 69

    public static func code(for kind: ErrorKind) -> Int32 {
        switch kind {
        case .usage: 64
        case .badData: 65
        case .notFound: 66
        case .internal: 70
        case .conflict: 73
        case .io: 74
        case .busy: 75
        case .interrupted: 130
        case .commandFailed: 67
        }
    }
}

/// Runs a command body, printing an `SDSError` and mapping it to its exit status.
///
/// A damaged index met in the middle of a command does not stop it: the index is a cache,
/// so the command runs once more, and its fresh open moves the file aside and rebuilds it.
/// (Every verb is safe to run again after a failure at any point, as after a kill.)
func reporting(_ body: () throws -> Void) throws {
    do {
        do {
            try body()
        } catch let error as SDSError where error.kind == .badData && Workspace.takeIndexDamage() {
            try body()
        }
    } catch let error as SDSError {
        Output.error(error.description)
        throw ExitCode(ExitStatus.code(for: error.kind))
    }
}
