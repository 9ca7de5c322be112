import Glibc
import SDSCatalog
import SDSCore
import SDSStore
import SDSTFRecord

/// Runs a whole build: builder, manifest object, output folder, then the spec's lock.
///
/// Ordering (design promise 5): objects, then the manifest, then the output folder, and
/// the lock last, so a failure anywhere leaves the previous output and lock untouched.
/// A dry run (`predict`) takes the same path up to the first write, through a scratch
/// store, so what it says is what the build then does (design promise 7).
public struct BuildRecorder {
    public struct Summary: Sendable {
        public var buildID: ObjectID
        public var manifest: Manifest
        public var trace: [TraceEntry]
        public var outputPath: String
        public var wroteOutput: Bool
        public var lockChanged: Bool
        /// The spec built.
        public var spec: Spec
    }

    let workspace: Workspace
    /// The spec, relative to the workspace root.
    let specPath: String
    /// Absolute folders outside the work tree a spec's `output:` may name (`--output-outside`).
    let allowedOutside: [String]

    public init(workspace: Workspace, specPath: String, allowedOutside: [String] = []) {
        self.workspace = workspace
        self.specPath = specPath
        self.allowedOutside = allowedOutside
    }

    var specDirectory: String { specPath.contains("/") ? FileIO.parentDirectory(specPath) : "" }

    /// The spec's lock, beside it: `sds.lock` for `sds.yaml`, `NAME.sds.lock` for any other
    /// `NAME.yaml`, so several specs in one folder never share (and overwrite) a lock.
    public var lockPath: String { Self.lockPath(forSpec: specPath) }

    public static func lockPath(forSpec specPath: String) -> String {
        let dir = specPath.contains("/") ? FileIO.parentDirectory(specPath) + "/" : ""
        var base = FileIO.baseName(specPath)
        for ext in [".yaml", ".yml"] where base.hasSuffix(ext) { base.removeLast(ext.count) }
        return dir + (base == "sds" ? "" : base + ".") + "sds.lock"
    }

    /// What the work tree builds to, before anything is written.
    struct Prepared {
        var spec: Spec
        var result: Builder.Result
        /// The spec's `output:` folder, relative to the workspace root (see `OutputLocation`).
        var outputRel: String
        var outputPath: String
        /// nil when the result is unknown (a dry run before a `run:` step).
        var manifestBytes: [UInt8]?
        var lockBytes: [UInt8]?
        var buildID: ObjectID? { manifestBytes.map { Hasher256.id(of: $0) } }
    }

    func prepare(_ options: Builder.Options, in ws: Workspace) throws -> Prepared {
        guard let bytes = try FileIO.readFileIfExists(ws.absolute(specPath)) else {
            throw SDSError(.notFound, "no pipeline spec at '\(specPath)'",
                           hint: "write an sds.yaml (see examples/fitbit/sds.yaml) or pass --spec PATH")
        }
        let spec = try Spec.parse(String(decoding: bytes, as: UTF8.self), file: specPath)
        // Refused before any work: an output the user did not allow is never written.
        let outputRel = try OutputLocation.resolve(spec.outputDirectory, specDirectory: specDirectory, workspace: ws,
                                                   allowedOutside: allowedOutside, specFile: specPath)
        let result = try Builder(workspace: ws, spec: spec, specBytes: bytes, specDirectory: specDirectory).run(options)
        let out = OutputLocation.datasetFolder(outputRel, spec)
        var prepared = Prepared(spec: spec, result: result, outputRel: outputRel, outputPath: out)
        if let manifest = result.manifest {
            let manifestBytes = manifest.json.canonical()
            prepared.manifestBytes = manifestBytes
            prepared.lockBytes = Self.lock(manifest, buildID: Hasher256.id(of: manifestBytes), outputPath: out)
        }
        return prepared
    }

    /// The lock names the build and what a reader needs without the store; nothing in it
    /// depends on the clock, the host or the git commit, so a no-op build leaves it as it is.
    static func lock(_ manifest: Manifest, buildID: ObjectID, outputPath: String) -> [UInt8] {
        let lock = JSON.object([
            "build": .string(buildID.hex),
            "dataset": .string(manifest.dataset.name),
            "version": .string(manifest.dataset.version),
            "output": .string(outputPath),
            "spec": .string(manifest.specID.hex),
            "shards": .object(Dictionary(uniqueKeysWithValues: manifest.shards.map {
                ($0.file, JSON.object(["id": .string($0.id.hex), "examples": .int(Int64($0.examples))]))
            })),
        ])
        return Array(lock.pretty().utf8)
    }

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
        let prepared = try prepare(options, in: workspace)
        guard let manifest = prepared.result.manifest, let manifestBytes = prepared.manifestBytes,
              let lockBytes = prepared.lockBytes else { throw SDSError(.internal, "a build without a manifest") }
        // Every object the manifest names is durable before the manifest is written.
        try workspace.store.syncPendingDirectories()
        let buildID = try workspace.store.put(manifestBytes)

        let out = prepared.outputPath
        let wrote = try OutputFolder(workspace: workspace, path: out).place(manifest, info: OutputFolder.info(prepared.spec))
        // Outputs are rebuilt from the store; git tracks the lock instead (an allowed folder
        // outside the work tree is not git's, so it gets no .gitignore).
        let outputRel = prepared.outputRel
        if !outputRel.isEmpty && !outputRel.hasPrefix("..") {
            try GitIgnore.ensureIgnored(workspace: workspace, rel: outputRel)
        }

        let lockAbs = workspace.absolute(lockPath)
        let changed = try FileIO.readFileIfExists(lockAbs) != lockBytes
        if changed {
            try FileIO.writeFileAtomically(lockAbs, lockBytes)
            // A build that names a new version is logged with where and when it ran; a
            // rebuild of the same version (after a commit, say) adds nothing.
            let git = try? workspace.gitRepository()
            let now = FileIO.nowNs()
            try workspace.index().recordBuild(StoreIndex.BuildRun(
                id: buildID, finishedNs: now, host: Self.hostName(), seconds: Double(now - started) / 1e9,
                gitCommit: (try? git?.headCommit())??.id,
                gitDirty: prepared.result.dirtyCode.isEmpty ? (try? git?.isDirty()) ?? nil : true,
                stepsRun: prepared.result.trace.filter(\.ran).count, stepsReused: prepared.result.trace.filter { !$0.ran }.count))
        }
        return Summary(buildID: buildID, manifest: manifest, trace: prepared.result.trace, outputPath: out,
                       wroteOutput: wrote, lockChanged: changed, spec: prepared.spec)
    }

    static func hostName() -> String {
        var host = [UInt8](repeating: 0, count: 256)
        gethostname(&host, 255)
        return String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
    }
}
