import Glibc

/// Where sds may write: inside the work tree or the store, never through a symbolic link.
///
/// Paths come from trees, pointers and specs, which may come from other machines; a link
/// on the way (`a -> /etc`, then `a/passwd`) would carry a write anywhere. Every folder
/// between the root and the written path is checked with lstat, so a link is seen as a
/// link, not followed.
public enum Confinement {
    /// The first folder from `root` down to the parent of `relative` that is a symbolic
    /// link on disk (relative to `root`), or nil. Missing folders are fine: sds makes them.
    public static func linkOnTheWay(root: String, to relative: String) throws -> String? {
        var prefix = ""
        for part in relative.split(separator: "/", omittingEmptySubsequences: true).dropLast() {
            prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
            guard let st = try FileIO.lstat(root + "/" + prefix) else { return nil }
            if st.kind == .symlink { return prefix }
        }
        return nil
    }

    /// Throws unless a write to `relative` stays below `root` without passing through a link.
    public static func check(root: String, relative: String) throws {
        if let link = try linkOnTheWay(root: root, to: relative) { throw refusal(link, writing: relative) }
    }

    public static func refusal(_ link: String, writing relative: String, kind: ErrorKind = .conflict) -> SDSError {
        SDSError(kind, "refusing to write '\(Quoted.cut(relative))': '\(Quoted.cut(link))' on the way is a symbolic link, so the write could land outside the work tree",
                 hint: "replace the link with a real folder (or remove it) and run the command again")
    }

    /// The path with symbolic links resolved, for the deepest part of `path` that exists,
    /// followed by the rest as written, with `.` and `..` in the rest taken lexically.
    public static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while true {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                var parts = String(cString: real).split(separator: "/").map(String.init)
                for part in rest.reversed() where part != "." && !part.isEmpty {
                    if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(part) }
                }
                return "/" + parts.joined(separator: "/")
            }
            let parent = FileIO.parentDirectory(existing)
            if parent == existing { return path }
            rest.append(FileIO.baseName(existing))
            existing = parent
        }
    }

    /// Whether `path` (absolute, after resolving links) is `root` or below it.
    public static func isInside(_ path: String, root: String) -> Bool {
        let p = resolved(path), r = resolved(root)
        return p == r || p.hasPrefix(r.hasSuffix("/") ? r : r + "/")
    }
}
