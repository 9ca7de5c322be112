import SDSCore
import SDSStore

/// `sds checkout VERSION --outputs/--inputs [--to DIR]`: puts a recorded build's dataset
/// folder and/or input files back from the store, every byte checked against its id.
///
/// The output folder is described as a tree object (its shards plus the TFDS metadata
/// regenerated from the build's stored spec) and handed to the store's checkout, so the
/// same rules hold: nothing that is not in the store is overwritten without `force`, and
/// missing objects are listed before anything is written.
public struct VersionCheckout {
    let workspace: Workspace
    let force: Bool

    public init(workspace: Workspace, force: Bool) {
        self.workspace = workspace
        self.force = force
    }

    /// What was restored where.
    public struct Result: Sendable {
        public var report: Checkout.Report
        /// Paths relative to the workspace root (`../` leads outside it for `--to`).
        public var outputPath: String?
        public var inputPaths: [String]
    }

    /// - Parameters:
    ///   - specDirectory: the spec's folder relative to the workspace root ("" at the root).
    ///   - destination: an absolute folder standing in for the spec's folder (`--to`), or nil.
    public func run(_ build: RecordedBuild, specDirectory: String, outputs: Bool, inputs: Bool,
                    destination: String?) throws -> Result {
        let base: String = try destination.map { try relativeToRoot($0) } ?? specDirectory
        func place(_ rel: String) -> String { base.isEmpty ? rel : base + "/" + rel }
        var targets: [TrackedPath] = []
        var outputPath: String?
        if outputs {
            guard let specHex = build.json["spec"]?.string, let specID = ObjectID(hex: specHex) else {
                throw SDSError(.badData, "build \(build.id.short) names no spec")
            }
            guard workspace.store.contains(specID) else { throw missing([specID]) }
            let spec = try Spec.parse(String(decoding: try workspace.store.read(specID), as: UTF8.self), file: Spec.fileName)
            let shards = Self.shards(build)
            var entries = shards.map { s in
                // A TFRecord shard's size follows from its examples (16 bytes of framing each);
                // an ArrayRecord shard's is its object's.
                let size = s.file.contains(".tfrecord-") ? Int64(s.exampleBytes + 16 * s.examples)
                    : (try? FileIO.lstat(workspace.store.path(of: s.id)))??.size ?? 0
                return Tree.Entry(kind: .file, size: size, id: s.id, name: s.file)
            }
            for (name, bytes) in OutputFolder.metadata(shards, info: OutputFolder.info(spec)) {
                entries.append(Tree.Entry(kind: .file, size: Int64(bytes.count), id: try workspace.store.put(bytes), name: name))
            }
            if case .object(let files)? = build.json["files"] {
                for (name, hex) in files.sorted(by: { $0.key < $1.key }) {
                    guard case .string(let h) = hex, let id = ObjectID(hex: h) else { continue }
                    let size = (try? FileIO.lstat(workspace.store.path(of: id)))??.size ?? 0
                    entries.append(Tree.Entry(kind: .file, size: size, id: id, name: name))
                }
            }
            let tree = Tree(entries: entries)
            let treeID = try workspace.store.put(tree.encoded())
            // In place, the output goes where a build puts it, and never outside the work tree.
            let path = destination == nil
                ? OutputLocation.datasetFolder(try OutputLocation.resolve(spec.outputDirectory, specDirectory: specDirectory,
                                                                          workspace: workspace), spec)
                : place(spec.outputDirectory + "/\(spec.dataset.name)/\(spec.dataset.version)")
            targets.append(TrackedPath(path: path, pointer: Pointer(kind: .dir, id: treeID, size: tree.totalSize, files: entries.count)))
            outputPath = path
        }
        var inputPaths: [String] = []
        if inputs {
            for (p, hex) in build.inputs.sorted(by: { $0.key < $1.key }) {
                guard let id = ObjectID(hex: hex) else { continue }
                let size = (try? FileIO.lstat(workspace.store.path(of: id)))??.size ?? 0
                targets.append(TrackedPath(path: place(p), pointer: Pointer(kind: .file, id: id, size: size, files: 1)))
                inputPaths.append(place(p))
            }
        }
        let absent = Set(targets.filter { $0.pointer.kind == .file && !workspace.store.contains($0.pointer.id) }.map(\.pointer.id))
            .union(targets.filter { $0.pointer.kind == .dir }.flatMap { t in
                ((try? Tree(decoding: workspace.store.read(t.pointer.id), id: t.pointer.id))?.entries ?? []).map(\.id).filter { !workspace.store.contains($0) }
            })
        if !absent.isEmpty { throw missing(absent.sorted()) }
        for t in targets { try FileIO.makeDirectories(FileIO.parentDirectory(workspace.absolute(t.path))) }
        let report = try Checkout(workspace: workspace, force: force).run(targets)
        return Result(report: report, outputPath: outputPath, inputPaths: inputPaths)
    }

    /// The error for objects a version needs that the store does not have, listing them all.
    func missing(_ ids: [ObjectID]) -> SDSError {
        let list = ids.map { "  \($0.hex)" }.joined(separator: "\n")
        return SDSError(.notFound, "\(ids.count) object(s) this version needs are not in the store:\n\(list)",
                        hint: "rebuild the version ('git checkout' its commit or restore its inputs, then 'sds build'), re-add the inputs with 'sds add', or copy the objects from a store that has them")
    }

    /// The shards of a recorded build, in manifest order.
    static func shards(_ build: RecordedBuild) -> [Builder.Shard] {
        (build.json["shards"]?.array ?? []).compactMap { s in
            guard let file = s["file"]?.string, let split = s["split"]?.string, let id = s["id"]?.string.flatMap({ ObjectID(hex: $0) })
            else { return nil }
            return Builder.Shard(split: split, index: s["index"]?.int ?? 0, count: 0, file: file, id: id,
                                 examples: s["examples"]?.int ?? 0, exampleBytes: s["example_bytes"]?.int ?? 0,
                                 partitions: s["partitions"]?.array.compactMap(\.string) ?? [])
        }
    }

    /// An absolute folder as a path relative to the workspace root (with `../` when outside).
    func relativeToRoot(_ absolute: String) throws -> String {
        let a = absolute.split(separator: "/").filter { $0 != "." }, r = workspace.root.split(separator: "/")
        var common = 0
        while common < a.count, common < r.count, a[common] == r[common] { common += 1 }
        let up = Array(repeating: "..", count: r.count - common)
        let rel = (up + a[common...].map(String.init)).joined(separator: "/")
        if rel == Workspace.storeName || rel.hasPrefix(Workspace.storeName + "/") || rel.hasPrefix(".git") {
            throw SDSError(.usage, "'\(absolute)' is inside sds's or git's own folder")
        }
        return rel
    }
}
