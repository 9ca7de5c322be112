import SDSCore
import SDSStore

/// Where a spec's `output:` folder is, as one path relative to the workspace root.
///
/// The message, `sds.lock` and the files all use this one path, so they agree. A spec can
/// come from anyone: an output outside the work tree (`../../x`, `/srv/x`, or a link that
/// leads out) is refused unless the command line names that folder (`--output-outside`).
public enum OutputLocation {
    /// - Parameters:
    ///   - output: the spec's `output:` value, relative to the spec's folder or absolute.
    ///   - allowedOutside: absolute folders the user allowed on the command line.
    public static func resolve(_ output: String, specDirectory: String, workspace: Workspace,
                               allowedOutside: [String] = [], specFile: String = Spec.fileName) throws -> String {
        let root = Confinement.resolved(workspace.root)
        let written = output.hasPrefix("/") ? output
            : workspace.root + "/" + (specDirectory.isEmpty ? "" : specDirectory + "/") + output
        let target = Confinement.resolved(written)
        let rel = relative(target, from: root)
        if rel == ".." || rel.hasPrefix("../") {
            let allowed = allowedOutside.contains { target == Confinement.resolved($0) }
            guard allowed else {
                throw SDSError(.usage, "\(specFile): the output folder '\(Quoted.cut(output))' is outside the work tree (\(Quoted.cut(target)))",
                               hint: "put the output inside the work tree, or allow this folder with --output-outside \(Quoted.cut(target))")
            }
            return rel
        }
        let first = rel.split(separator: "/").first.map(String.init) ?? ""
        if first == Workspace.storeName || first == ".git" {
            throw SDSError(.usage, "\(specFile): the output folder '\(Quoted.cut(output))' is inside sds's or git's own folder",
                           hint: "choose another output folder, such as 'out'")
        }
        return rel
    }

    /// `path` relative to `root` (both absolute, without links), with `..` to go up.
    static func relative(_ path: String, from root: String) -> String {
        let a = path.split(separator: "/"), r = root.split(separator: "/")
        var common = 0
        while common < a.count, common < r.count, a[common] == r[common] { common += 1 }
        return (Array(repeating: "..", count: r.count - common) + a[common...].map(String.init)).joined(separator: "/")
    }

    /// The dataset folder `OUTPUT/NAME/VERSION` below an output folder from `resolve`.
    public static func datasetFolder(_ outputRel: String, _ spec: Spec) -> String {
        (outputRel.isEmpty ? "" : outputRel + "/") + "\(spec.dataset.name)/\(spec.dataset.version)"
    }
}
