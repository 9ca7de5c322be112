import Glibc
import SDSCore
import SDSStore

/// The no-op fast path of `sds build`: an unchanged work tree is recognised from the facts a
/// build depends on, without planning or visiting a step.
///
/// After a build, `record` keeps one small file per spec (`.sensorstore/noop/`, local, never
/// pushed): the facts below and what a rebuild with nothing changed would print. The next
/// build compares the facts as they are now (`check`); only when every one is equal does it
/// answer "up to date". The facts:
/// - this sds: its version and its executable's file identity (a rebuilt sds never matches),
///   operator version overrides (`SDS_OPERATOR_VERSIONS`), `--strict` and `--output-outside`;
/// - the spec's path and content hash, and the lock's content hash;
/// - each input file's identity (size, mtime, ctime, inode, device), the same stat facts
///   the file-state cache trusts for `sds status`;
/// - every file of the output folder with its identity, and the manifest object in the store.
///
/// Anything the facts cannot vouch for falls back to the full build: specs with `run:` steps
/// (their code and commands), an input that is not a plain file (a folder, a glob, a link),
/// and a "racily clean" input or output file whose mtime or ctime is within two seconds of
/// the record (a later write could keep its stat facts on a coarse-clock file system): the
/// build after such a record takes the full path, and records again.
public struct NoopBuild {
    /// What a no-op rebuild prints, recorded after a build.
    public struct Rendering: Sendable, Equatable {
        /// The `--json` line.
        public var json: String
        /// The lines of the human summary.
        public var lines: [String]
        public var warnings: [String]

        public init(json: String, lines: [String], warnings: [String]) {
            self.json = json
            self.lines = lines
            self.warnings = warnings
        }
    }

    /// The build options that can change what a build writes or whether it fails.
    public struct Flags: Sendable, Equatable {
        public var strict: Bool
        public var allowedOutside: [String]
        public var versionOverrides: [String: Int]

        public init(strict: Bool, allowedOutside: [String], versionOverrides: [String: Int]) {
            self.strict = strict
            self.allowedOutside = allowedOutside
            self.versionOverrides = versionOverrides
        }
    }

    /// A file changed less than this before the record is not vouched for. Tests shorten it
    /// with `SDS_NOOP_RACY_MS` (not for users).
    static var racyWindowNs: Int64 {
        guard let v = getenv("SDS_NOOP_RACY_MS").flatMap({ Int64(String(cString: $0)) }), v >= 0 else { return 2_000_000_000 }
        return v * 1_000_000
    }

    let workspace: Workspace
    /// The spec, relative to the workspace root.
    let specPath: String

    public init(workspace: Workspace, specPath: String) {
        self.workspace = workspace
        self.specPath = specPath
    }

    var recordPath: String {
        workspace.storePath + "/noop/" + Hasher256.id(of: Array(specPath.utf8)).hex + ".json"
    }

    /// What a no-op rebuild prints, when the work tree is exactly as the last build left it;
    /// nil when anything may differ (then the full build decides).
    public func check(_ flags: Flags) -> Rendering? {
        guard let bytes = try? FileIO.readFileIfExists(recordPath), let record = try? JSONReader.parse(bytes),
              record["format"]?.int == 1, let recordedNs = record["recorded_ns"]?.int,
              let facts = record["facts"], let rendering = record["rendering"], let newest = record["newest_ns"]?.int,
              Int64(newest) <= Int64(recordedNs) - Self.racyWindowNs,
              let inputs = facts["inputs"]?.object.keys, let output = facts["output"]?["folder"]?.string,
              let now = try? self.facts(flags, inputs: inputs.sorted(), output: output).facts,
              now == facts
        else { return nil }
        return Rendering(json: rendering["json"]?.string ?? "", lines: (rendering["lines"]?.array ?? []).compactMap(\.string),
                         warnings: (rendering["warnings"]?.array ?? []).compactMap(\.string))
    }

    /// Records the facts of the build just made and what a no-op rebuild would print; removes
    /// the record when the facts cannot vouch for this spec. Best effort: a failure only costs
    /// the next build its fast path.
    public func record(_ summary: BuildRecorder.Summary, flags: Flags, rendering: Rendering) {
        let now = FileIO.nowNs()
        let spec = summary.spec
        let inputs = spec.runSteps.isEmpty ? spec.sources.map { SpecPaths.rel($0.path, specDirectory: specDirectory, root: workspace.root) } : nil
        guard let inputs, inputs.allSatisfy({ Spec.stepReference($0) == nil }),
              let (facts, newest) = try? facts(flags, inputs: inputs, output: summary.outputPath)
        else {
            try? FileIO.remove(recordPath)
            return
        }
        let record = JSON.object([
            "format": .int(1), "recorded_ns": .int(now), "newest_ns": .int(newest), "facts": facts,
            "rendering": .object(["json": .string(rendering.json), "lines": .array(rendering.lines.map { .string($0) }),
                                  "warnings": .array(rendering.warnings.map { .string($0) })]),
        ])
        do {
            try FileIO.makeDirectories(workspace.storePath + "/noop")
            try FileIO.writeFileAtomically(recordPath, record.canonical())
        } catch {
            try? FileIO.remove(recordPath)
        }
    }

    /// Forgets the record (a build that failed or changed nothing it can vouch for).
    public func forget() { try? FileIO.remove(recordPath) }

    var specDirectory: String { specPath.contains("/") ? FileIO.parentDirectory(specPath) : "" }

    private struct Unvouched: Error {}

    /// The facts as they are now, and the newest mtime or ctime among their files. Throws
    /// `Unvouched` when a file is missing or not a plain file.
    private func facts(_ flags: Flags, inputs: [String], output: String) throws -> (facts: JSON, newest: Int64) {
        var newest = Int64.min
        func identity(_ path: String) throws -> JSON {
            guard let st = try FileIO.lstat(path), st.kind == .file else { throw Unvouched() }
            newest = max(newest, st.mtimeNs, st.ctimeNs)
            return .array([.int(st.size), .int(st.mtimeNs), .int(st.ctimeNs), .int(Int64(bitPattern: st.inode)),
                           .int(Int64(bitPattern: st.device))])
        }
        guard let specBytes = try FileIO.readFileIfExists(workspace.absolute(specPath)),
              let lockBytes = try FileIO.readFileIfExists(workspace.absolute(BuildRecorder.lockPath(forSpec: specPath))),
              let lock = try? JSONReader.parse(lockBytes), let build = lock["build"]?.string.flatMap(ObjectID.init(hex:)),
              lock["output"]?.string == output, workspace.store.contains(build)
        else { throw Unvouched() }
        let exe = try FileIO.readLink("/proc/self/exe")
        var inputFacts: [String: JSON] = [:]
        for p in inputs { inputFacts[p] = try identity(workspace.absolute(p)) }
        var outputFacts: [String: JSON] = [:]
        try walk(workspace.absolute(output), prefix: "") { rel, _ in outputFacts[rel] = try identity(workspace.absolute(output) + "/" + rel) }
        guard !outputFacts.isEmpty else { throw Unvouched() }
        let facts = JSON.object([
            "sds": .array([.string(SDSVersion.current), .string(exe), try identity(exe)]),
            "flags": .object(["strict": .bool(flags.strict), "output_outside": .array(flags.allowedOutside.map { .string($0) }),
                              "operator_versions": .object(flags.versionOverrides.mapValues { .int(Int64($0)) })]),
            "spec": .array([.string(specPath), .string(Hasher256.id(of: specBytes).hex)]),
            "lock": .string(Hasher256.id(of: lockBytes).hex),
            "build": .string(build.hex),
            "inputs": .object(inputFacts),
            "output": .object(["folder": .string(output), "files": .object(outputFacts)]),
        ])
        return (facts, newest)
    }

    /// Every file under `dir` (relative names, `/`-separated); a folder's entries are listed,
    /// so an added or removed file changes the facts.
    private func walk(_ dir: String, prefix: String, _ visit: (String, FileStat) throws -> Void) throws {
        guard let st = try FileIO.lstat(dir), st.kind == .directory else { throw Unvouched() }
        for (name, s) in try FileIO.listDirectoryWithStats(dir) {
            let rel = prefix.isEmpty ? name : prefix + "/" + name
            if s.kind == .directory { try walk(dir + "/" + name, prefix: rel, visit) } else { try visit(rel, s) }
        }
    }
}
