import Glibc
import SDSCore

/// `sds install-hooks`: writes sds's git hooks, chaining any hook the user already had.
///
/// Idempotent: a hook carrying the `# sds-hook` marker is replaced in place; any
/// other existing hook is renamed to `<name>.pre-sds`, which the sds hook runs first.
public struct HookInstaller {
    public enum Outcome: String, Sendable { case installed, updated, unchanged, chained }
    public static let marker = "# sds-hook"

    let hooksDirectory: String

    public init(hooksDirectory: String) { self.hooksDirectory = hooksDirectory }

    public func install() throws -> [(name: String, outcome: Outcome)] {
        try FileIO.makeDirectories(hooksDirectory)
        return try HookScripts.all.map { (name, text) in
            let path = hooksDirectory + "/" + name
            let wanted = Array((text + "\n").utf8)
            var outcome = Outcome.installed
            if let existing = try FileIO.readFileIfExists(path) {
                if String(decoding: existing, as: UTF8.self).contains(Self.marker) {
                    outcome = existing == wanted ? .unchanged : .updated
                } else {
                    let saved = path + ".pre-sds"
                    if try FileIO.lstat(saved) != nil {
                        throw SDSError(.conflict, "both '\(path)' and '\(saved)' exist and neither is sds's hook",
                                       hint: "merge them by hand into '\(saved)', remove '\(path)', then run 'sds install-hooks' again")
                    }
                    guard rename(path, saved) == 0 else { throw SDSError.io("cannot keep the existing hook", path: path, errno: errno) }
                    outcome = .chained
                }
            }
            if outcome != .unchanged { try FileIO.writeFileAtomically(path, wanted, mode: 0o755) }
            _ = chmod(path, 0o755)
            return (name, outcome)
        }
    }
}
