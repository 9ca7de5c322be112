import Glibc
import SDSCatalog
import SDSCore
import SDSStore
import SDSTFRecord

/// Glibc declares renameat2 only under _GNU_SOURCE.
@_silgen_name("renameat2")
private func sds_renameat2(_ olddirfd: Int32, _ oldpath: UnsafePointer<CChar>, _ newdirfd: Int32,
                           _ newpath: UnsafePointer<CChar>, _ flags: UInt32) -> Int32

/// Places a build's TFDS folder (`out/NAME/VERSION/`) from the store.
///
/// The new folder is assembled beside the old one and swapped in, so a failed or killed
/// build leaves the previous output as it was. Unchanged shard files are hardlinked from
/// the old folder (the file-state cache vouches for their content); others are copied
/// from the store with every byte checked.
public struct OutputFolder {
    let workspace: Workspace
    /// Relative to the workspace root.
    public let path: String

    public init(workspace: Workspace, path: String) {
        self.workspace = workspace
        self.path = path
    }

    /// The TFDS description of a spec's dataset.
    static func info(_ spec: Spec) -> TFDSDatasetInfo {
        guard let frames = spec.frames else { preconditionFailure("a parsed spec has studies") }
        var info = frames.info(spec.dataset)
        info.fileFormats = spec.output.formats.map(\.rawValue)
        return info
    }

    /// The folder's metadata files (`dataset_info.json`, `features.json`) for these shards.
    static func metadata(_ shards: [Builder.Shard], info: TFDSDatasetInfo) -> [(String, [UInt8])] {
        var splits: [TFDSSplitInfo] = []
        var seen: [String] = []
        // Every format holds the same examples: count the first format's shards.
        let primary = "." + (info.fileFormats.first ?? "tfrecord") + "-"
        let shards = shards.filter { $0.file.contains(primary) }
        for s in shards where !seen.contains(s.split) {
            seen.append(s.split)
            let mine = shards.filter { $0.split == s.split }.sorted { $0.index < $1.index }
            splits.append(TFDSSplitInfo(name: s.split, shardLengths: mine.map(\.examples),
                                        numBytes: UInt64(mine.reduce(0) { $0 + $1.exampleBytes })))
        }
        return [
            ("dataset_info.json", Array(TFDSWriter.datasetInfoJSON(info, splits: splits).utf8)),
            ("features.json", Array(TFDSWriter.featuresJSON(info.features).utf8)),
        ]
    }

    /// What the folder holds against what a manifest wants, each file checked at most once.
    private final class Comparison {
        let dest: String
        let path: String
        let cached: [String: FileState]
        let wanted: [(String, ObjectID)]
        let existing: [String]
        var rehashed: [(path: String, state: FileState)] = []
        private var checked: [String: Bool] = [:]

        init(_ folder: OutputFolder, _ manifest: Manifest, metadata: [(String, [UInt8])]) throws {
            dest = folder.workspace.absolute(folder.path)
            path = folder.path
            cached = try folder.workspace.index().fileStates(under: folder.path)
            let extra = manifest.files.sorted { FileIO.bytewiseLess($0.key, $1.key) }.map { ($0.key, $0.value) }
            wanted = manifest.shards.map { ($0.file, $0.id) } + extra + metadata.map { ($0.0, Hasher256.id(of: $0.1)) }
            existing = (try? FileIO.listDirectory(dest)) ?? []
        }

        func matches(_ name: String, _ id: ObjectID) throws -> Bool {
            if let answer = checked[name] { return answer }
            let answer = try check(name, id)
            checked[name] = answer
            return answer
        }

        private func check(_ name: String, _ id: ObjectID) throws -> Bool {
            guard let st = try FileIO.lstat(dest + "/" + name), st.kind == .file, st.size > 0 || id == .empty else { return false }
            if let known = cached[path + "/" + name]?.id(ifMatching: st) { return known == id }
            // Not vouched for by the cache (e.g. written less than a second ago): hash it, cheaper than a copy.
            let (actual, seen) = try Ingest.file(dest + "/" + name, into: nil)
            rehashed.append((path + "/" + name, FileState(stat: seen, id: actual, recordedNs: FileIO.nowNs())))
            return actual == id
        }

        /// Wanted files that are missing or differ, and files that would go, in name order.
        func differences() throws -> Differences {
            let known = Set(wanted.map(\.0))
            return Differences(write: try wanted.filter { try !matches($0.0, $0.1) }.map(\.0).sorted { FileIO.bytewiseLess($0, $1) },
                               remove: existing.filter { !known.contains($0) }.sorted { FileIO.bytewiseLess($0, $1) })
        }
    }

    public struct Differences: Sendable {
        public var write: [String]
        public var remove: [String]
        public var isEmpty: Bool { write.isEmpty && remove.isEmpty }
    }

    /// The files a build with this manifest would write or remove here; empty when the
    /// folder holds exactly its bytes. Writes nothing (a dry run and `sds status` ask).
    public func differences(_ manifest: Manifest, info: TFDSDatasetInfo) throws -> Differences {
        try Comparison(self, manifest, metadata: Self.metadata(manifest.shards, info: info)).differences()
    }

    /// Writes the folder; returns false when it already matched and nothing was written.
    @discardableResult
    public func place(_ manifest: Manifest, info: TFDSDatasetInfo) throws -> Bool {
        let metadata = Self.metadata(manifest.shards, info: info)
        let dest = workspace.absolute(path)
        let index = try workspace.index()
        let comparison = try Comparison(self, manifest, metadata: metadata)
        let wanted = comparison.wanted, existing = comparison.existing
        let extra = manifest.files.sorted { FileIO.bytewiseLess($0.key, $1.key) }.map { ($0.key, $0.value) }
        func matches(_ name: String, _ id: ObjectID) throws -> Bool { try comparison.matches(name, id) }
        if try comparison.differences().isEmpty {
            try index.record(comparison.rehashed)
            return false
        }
        let known = Set(wanted.map(\.0))
        // Names sds writes (an earlier build's shards or statistics tables) may go; others stop the build.
        let foreign = existing.filter {
            !known.contains($0) && !$0.hasPrefix(manifest.dataset.name + "-") && !$0.hasSuffix(".json")
                && !$0.hasPrefix("statistics-") && $0 != StatisticsTables.databaseName
        }
        if !foreign.isEmpty {
            throw SDSError(.conflict, "the output folder '\(path)' holds files sds did not write: \(foreign.prefix(5).joined(separator: ", "))",
                           hint: "move them elsewhere, or set 'output:' in \(Spec.fileName) to another folder")
        }

        let tmp = dest + ".sds-tmp-\(getpid())"
        try? FileIO.removeTree(tmp)
        try removeLeftovers(of: dest)
        try FileIO.makeDirectories(tmp)
        do {
            var copies: [(name: String, id: ObjectID)] = []
            for (name, id) in manifest.shards.map({ ($0.file, $0.id) }) + extra {
                if try matches(name, id), link(dest + "/" + name, tmp + "/" + name) == 0 { continue }
                copies.append((name, id))
            }
            // Shards are placed as '[cache] link' says, symlinks excepted: the folder is handed to
            // readers (TFDS, other machines) that must see files.
            let configured = try WorkTreeLinker(workspace: workspace)
            let linker = WorkTreeLinker(store: workspace.store, modes: configured.modes.filter { $0 != .symlink }, explicit: configured.explicit)
            _ = try copies.parallelMap(jobs: 2) { c in
                try linker.place(c.id, executable: false, at: tmp + "/" + c.name, mode: 0o644)
            }
            for (name, bytes) in metadata { try FileIO.writeFileAtomically(tmp + "/" + name, bytes) }
            try FileIO.fsyncDirectory(tmp)
            try FileIO.makeDirectories(FileIO.parentDirectory(dest))
            Failpoint.outputSwap.pass()
            try swapIn(tmp, dest)
        } catch {
            try? FileIO.removeTree(tmp)
            throw error
        }
        let now = FileIO.nowNs()
        var states: [(path: String, state: FileState)] = []
        for (name, id) in wanted {
            if let st = try FileIO.lstat(dest + "/" + name) { states.append((path + "/" + name, FileState(stat: st, id: id, recordedNs: now))) }
        }
        try index.record(states)
        return true
    }

    /// Puts the complete folder `tmp` at `dest`, so that `dest` is never missing: one atomic
    /// exchange where the file system has it (the old folder lands at `tmp`, then goes);
    /// else old aside, new in, and the old one put back if the new one cannot be.
    private func swapIn(_ tmp: String, _ dest: String) throws {
        if try FileIO.lstat(dest) == nil {
            guard rename(tmp, dest) == 0 else { throw SDSError.io("cannot move into place", path: dest, errno: errno) }
        } else if sds_renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, Self.renameExchange) == 0 {
            try FileIO.fsyncDirectory(FileIO.parentDirectory(dest))
            try? FileIO.removeTree(tmp)
            return
        } else {
            let old = dest + ".sds-old-\(getpid())"
            guard rename(dest, old) == 0 else { throw SDSError.io("cannot move aside", path: dest, errno: errno) }
            guard rename(tmp, dest) == 0 else {
                let code = errno
                _ = rename(old, dest)
                throw SDSError.io("cannot move into place", path: dest, errno: code)
            }
            try FileIO.fsyncDirectory(FileIO.parentDirectory(dest))
            try? FileIO.removeTree(old)
            return
        }
        try FileIO.fsyncDirectory(FileIO.parentDirectory(dest))
    }

    /// Linux's RENAME_EXCHANGE.
    static let renameExchange: UInt32 = 2

    /// Removes folders that killed builds left beside `dest` (their process is gone).
    private func removeLeftovers(of dest: String) throws {
        let parent = FileIO.parentDirectory(dest), base = FileIO.baseName(dest)
        for name in (try? FileIO.listDirectory(parent)) ?? [] {
            for marker in [".sds-tmp-", ".sds-old-"] where name.hasPrefix(base + marker) {
                guard let pid = Int32(name.dropFirst(base.count + marker.count)) else { continue }
                if kill(pid, 0) == 0 || errno == EPERM { continue }
                // Killed between moving the old folder aside and the new one in: put it back.
                if marker == ".sds-old-", try FileIO.lstat(dest) == nil {
                    guard rename(parent + "/" + name, dest) == 0 else { throw SDSError.io("cannot restore", path: dest, errno: errno) }
                    continue
                }
                try FileIO.removeTree(parent + "/" + name)
            }
        }
    }
}
