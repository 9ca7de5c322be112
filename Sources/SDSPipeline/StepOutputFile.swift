import SDSCore
import SDSStore

extension RunSteps.Outcome {
    /// The object a source or label path names: a step's whole output (`steps.NAME`), or a
    /// file inside its output folder (`steps.NAME/FILE`, found through the folder's trees).
    /// A dry run's stand-in stays a stand-in: what the step would write is unknown.
    func output(_ path: String, runner: StepRunner) throws -> ObjectID {
        let name = Spec.stepReference(path)!
        let whole = outputs[name]!
        guard let file = Spec.stepOutputFile(path), !runner.isPlaceholder(whole) else { return whole }
        var id = whole
        let parts = file.split(separator: "/").map(String.init)
        for (i, part) in parts.enumerated() {
            let bytes = try runner.store.read(id)
            guard Tree.looksLikeTree(bytes) else {
                throw SDSError(.usage, "'\(path)': the output of step '\(name)' is a file, not a folder",
                               hint: "name the whole output: steps.\(name)")
            }
            let tree = try Tree(decoding: bytes, id: id)
            guard let entry = tree.entries.first(where: { $0.name == part }),
                  entry.kind == (i == parts.count - 1 ? .file : .directory) || (i == parts.count - 1 && entry.kind == .executable) else {
                throw SDSError(.notFound, "'\(path)': step '\(name)' wrote no file '\(file)'",
                               hint: "its output holds: \(tree.entries.map(\.name).joined(separator: ", "))")
            }
            id = entry.id
        }
        return id
    }
}
