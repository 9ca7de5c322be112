import Glibc
import SDSCore
import SDSStore
import SDSTFRecord

/// Runs a whole build: builder, manifest object, output folder, then `sds.lock`.
///
/// Ordering (design promise 5): objects, then the manifest, then the output folder, and
/// the lock last, so a failure anywhere leaves the previous output and lock untouched.
public struct BuildRecorder {
    public struct Summary: Sendable {
        public var buildID: ObjectID
        public var manifest: Manifest
        public var trace: [TraceEntry]
        public var outputPath: String
        public var wroteOutput: Bool
        public var lockChanged: Bool
    }

    let workspace: Workspace
    /// sds.yaml, relative to the workspace root.
    let specPath: String
    /// Absolute folders outside the work tree a spec's `output:` may name (`--output-outside`).
    let allowedOutside: [String]

    public init(workspace: Workspace, specPath: String, allowedOutside: [String] = []) {
        self.workspace = workspace
        self.specPath = specPath
        self.allowedOutside = allowedOutside
    }

    var specDirectory: String { specPath.contains("/") ? FileIO.parentDirectory(specPath) : "" }
    public var lockPath: String { (specDirectory.isEmpty ? "" : specDirectory + "/") + "sds.lock" }

    /// Builds; a cached step result found damaged on the way is a cache miss: the rows that
    /// lead to it are forgotten, one warning names it, and the build runs again, recomputing
    /// those steps (storing their true bytes over the damaged copy) and reusing everything else.
    public func build(_ options: Builder.Options) throws -> Summary {
        var repaired = Set<ObjectID>()
        _ = workspace.store.takeDamaged()
        while true {
            do {
                return try buildOnce(options)
            } catch {
                let damaged = workspace.store.takeDamaged().subtracting(repaired)
                guard !damaged.isEmpty else { throw error }
                let rows = try StepCacheRepair.rows(where: damaged.contains, workspace: workspace)
                // Damage no cached step leads to (a stored input, say) is an error, not a miss.
                guard !rows.isEmpty else { throw error }
                try workspace.index().forgetSteps(keys: Set(rows.keys))
                for id in Set(rows.values).sorted() {
                    options.warn("cached step result \(id.hex) was damaged: recomputing it and replacing the object")
                }
                repaired.formUnion(damaged)
            }
        }
    }

    private func buildOnce(_ options: Builder.Options) throws -> Summary {
        let started = FileIO.nowNs()
        guard let bytes = try FileIO.readFileIfExists(workspace.absolute(specPath)) else {
            throw SDSError(.notFound, "no pipeline spec at '\(specPath)'",
                           hint: "write an sds.yaml (see examples/wearable/sds.yaml) or pass --spec PATH")
        }
        let spec = try Spec.parse(String(decoding: bytes, as: UTF8.self), file: specPath)
        // Refused before any work: an output the user did not allow is never written.
        let outputRel = try OutputLocation.resolve(spec.outputDirectory, specDirectory: specDirectory, workspace: workspace,
                                                   allowedOutside: allowedOutside, specFile: specPath)
        let result = try Builder(workspace: workspace, spec: spec, specBytes: bytes, specDirectory: specDirectory).run(options)
        guard let manifest = result.manifest else { throw SDSError(.internal, "a build without a manifest") }
        let manifestBytes = manifest.json.canonical()
        // Every object the manifest names is durable before the manifest is written.
        try workspace.store.syncPendingDirectories()
        let buildID = try workspace.store.put(manifestBytes)

        let out = OutputLocation.datasetFolder(outputRel, spec)
        let wrote = try OutputFolder(workspace: workspace, path: out).place(manifest, info: OutputFolder.info(spec))
        // Outputs are rebuilt from the store; git tracks sds.lock instead (an allowed folder
        // outside the work tree is not git's, so it gets no .gitignore).
        if !outputRel.isEmpty && !outputRel.hasPrefix("..") {
            try GitIgnore.ensureIgnored(workspace: workspace, rel: outputRel)
        }

        let lock = JSON.object([
            "build": .string(buildID.hex),
            "dataset": .string(spec.dataset.name),
            "version": .string(spec.dataset.version),
            "output": .string(out),
            "spec": .string(manifest.specID.hex),
            "shards": .object(Dictionary(uniqueKeysWithValues: manifest.shards.map {
                ($0.file, JSON.object(["id": .string($0.id.hex), "examples": .int(Int64($0.examples))]))
            })),
        ])
        let lockBytes = Array(lock.pretty().utf8)
        let lockAbs = workspace.absolute(lockPath)
        let changed = try FileIO.readFileIfExists(lockAbs) != lockBytes
        if changed { try FileIO.writeFileAtomically(lockAbs, lockBytes) }
        var host = [UInt8](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
        let now = FileIO.nowNs()
        try workspace.index().recordBuild(buildID, finishedNs: now, host: hostName,
                                          seconds: Double(now - started) / 1e9)
        return Summary(buildID: buildID, manifest: manifest, trace: result.trace, outputPath: out,
                       wroteOutput: wrote, lockChanged: changed)
    }
}
