import SDSCore

/// Paths a spec names (inputs, code), turned into paths relative to the workspace root.
///
/// A relative path is relative to the spec's folder; an absolute one is taken as it is,
/// inside the work tree or not (then the relative form climbs out with `..`, which the
/// file-state cache keys and `Workspace.absolute` handle like any other path).
enum SpecPaths {
    static func rel(_ path: String, specDirectory: String, root: String) -> String {
        if path.hasPrefix("/") { return FileIO.relativePath(of: path, from: root) }
        return specDirectory.isEmpty ? path : specDirectory + "/" + path
    }

    /// The name an input is recorded under in a manifest: as written in the spec, except an
    /// absolute path inside the work tree, recorded relative to the root so that a clone
    /// elsewhere names the same input.
    static func recorded(_ path: String, root: String) -> String {
        guard path.hasPrefix("/") else { return path }
        let rel = FileIO.relativePath(of: path, from: root)
        return rel.hasPrefix("../") || rel == ".." ? FileIO.normalized(path) : rel
    }

    /// Says once per build that an input outside the work tree ties the build to this machine.
    static func warnIfOutside(_ path: String, root: String, warn: (String) -> Void) {
        guard path.hasPrefix("/"), recorded(path, root: root).hasPrefix("/") else { return }
        warn("input '\(path)' is outside the repository: it is recorded by its absolute path, which a clone on another machine will not find")
    }
}
