import Glibc
import SDSCore
import Synchronization

/// How a tracked file is placed in the work tree from the store: `[cache] link = …` in
/// `.sensorstore/config` (shared) or `config.local` (this clone; it wins), a list tried in order.
///
/// - `reflink`: a copy-on-write clone (Linux FICLONE; btrfs, XFS, bcachefs): no second copy of
///   the bytes, and the file is independent of the object, so it stays writable.
/// - `hardlink`: the object's own inode; work-tree file and object are read-only (0444).
/// - `symlink`: a relative link to the object (it survives moving the whole workspace).
/// - `copy`: a private copy of the bytes (what sds always did).
///
/// The default, `reflink, copy`, costs no second copy where the file system can clone and is
/// safe everywhere: an edit can never reach the store. Hardlinks and symlinks save the space
/// everywhere, but an in-place edit by root (or after a chmod) would damage the object.
public enum LinkMode: String, Sendable, CaseIterable {
    case reflink, hardlink, symlink, copy

    public static let defaultModes: [LinkMode] = [.reflink, .copy]

    /// Whether a file placed this way is the store's object itself (read-only, needs `unprotect` to edit).
    public var sharesObject: Bool { self == .hardlink || self == .symlink }

    /// Parses `reflink, copy` (commas or spaces); errors name the config file.
    public static func parse(_ text: String, source: String) throws -> [LinkMode] {
        var modes: [LinkMode] = []
        for word in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            guard let m = LinkMode(rawValue: String(word)) else {
                throw SDSError(.usage, "\(source): cache link mode \"\(Quoted.cut(String(word)))\" is not one of reflink, hardlink, symlink, copy",
                               hint: "write for example 'link = reflink, copy' under [cache]")
            }
            if !modes.contains(m) { modes.append(m) }
        }
        guard !modes.isEmpty else {
            throw SDSError(.usage, "\(source): [cache] link is empty", hint: "write for example 'link = reflink, copy'")
        }
        return modes
    }

    /// The configured modes, and whether they were configured at all (else the default).
    public static func configured(storePath: String) throws -> (modes: [LinkMode], explicit: Bool) {
        var found: (String, String)?
        for name in ["config", "config.local"] {
            let path = storePath + "/" + name
            guard let bytes = try FileIO.readFileIfExists(path) else { continue }
            if let v = cacheLink(in: String(decoding: bytes, as: UTF8.self)) { found = (v, ".sensorstore/" + name) }
        }
        guard let (value, source) = found else { return (defaultModes, false) }
        return (try parse(value, source: source), true)
    }

    /// The value of `link` under `[cache]` in INI text (the last one wins).
    static func cacheLink(in text: String) -> String? {
        var section = "", value: String?
        for raw in text.split(separator: "\n") {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                section = String(line.dropFirst().prefix { $0 != "]" }).filter { $0 != " " }
                continue
            }
            guard section == "cache", let eq = line.firstIndex(of: "=") else { continue }
            if line[..<eq].filter({ $0 != " " && $0 != "\t" }) == "link" {
                value = String(line[line.index(after: eq)...])
            }
        }
        return value
    }
}

/// Places objects in the work tree the configured way, falling back down the list when the
/// file system refuses a mode (one line on stderr per mode and command, for a configured list).
public final class WorkTreeLinker: Sendable {
    public let modes: [LinkMode]
    public let explicit: Bool
    let store: ObjectStore

    /// Modes refused in this process: not tried again, and reported once.
    private static let refused = Mutex<Set<LinkMode>>([])

    public init(store: ObjectStore, modes: [LinkMode], explicit: Bool = true) {
        self.store = store
        self.modes = modes
        self.explicit = explicit
    }

    public convenience init(workspace: Workspace) throws {
        let (modes, explicit) = try LinkMode.configured(storePath: workspace.storePath)
        self.init(store: workspace.store, modes: modes, explicit: explicit)
    }

    /// The first mode that will be tried for a file (not yet refused here).
    public var preferred: LinkMode {
        let refused = Self.refused.withLock { $0 }
        return modes.first { !refused.contains($0) } ?? .copy
    }

    /// Makes `tmp` (a fresh name beside the destination) hold object `id`; returns the way used.
    ///
    /// An executable file is never hardlinked or symlinked: its mode bit would have to be set
    /// on the shared object. `mode` is for reflinks and copies; shared objects stay 0444.
    /// With `copying` false only the list's linking modes are tried: nil when none was
    /// possible (then nothing is at `tmp`). With `syncing` false a copy is not fsynced: the
    /// caller makes many files durable at once (checkout's one `syncfs`).
    @discardableResult
    public func place(_ id: ObjectID, executable: Bool, at tmp: String, mode: mode_t, syncing: Bool = true) throws -> LinkMode {
        try place(id, executable: executable, at: tmp, mode: mode, copying: true, syncing: syncing)!
    }

    func place(_ id: ObjectID, executable: Bool, at tmp: String, mode: mode_t, copying: Bool, syncing: Bool = true) throws -> LinkMode? {
        var candidates = modes.filter { !(executable && $0.sharesObject) && (copying || $0 != .copy) }
        if copying && !candidates.contains(.copy) { candidates.append(.copy) }
        let refused = Self.refused.withLock { $0 }
        // An object still staged (a build's, not yet named in objects/) can only be copied.
        if access(store.path(of: id), F_OK) != 0 { candidates = [.copy] }
        for (k, m) in candidates.enumerated() where !refused.contains(m) {
            if m == .copy { try copy(id, to: tmp, mode: mode, syncing: syncing); return .copy }
            let code = attempt(m, id: id, at: tmp, mode: mode)
            if code == 0 { return m }
            unlink(tmp)
            // A refusal of the file system (not of this one file) stops the mode for the command.
            guard [EOPNOTSUPP, EXDEV, EINVAL, ENOTTY, EPERM, EMLINK, ENOSYS].contains(code) else {
                throw SDSError.io("cannot \(m.rawValue) object \(id.short) to", path: tmp, errno: code)
            }
            let first = Self.refused.withLock { $0.insert(m).inserted }
            if first && explicit {
                let next = candidates[(k + 1)...].first { !refused.contains($0) }?.rawValue ?? (copying ? "copy" : "the file as it is")
                let line = "note: cache.link \(m.rawValue) is not possible here (\(String(cString: strerror(code)))); using \(next) instead\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
            }
        }
        guard copying else { return nil }
        try copy(id, to: tmp, mode: mode, syncing: syncing)
        return .copy
    }

    /// Zero on success, else the errno of the refusal.
    private func attempt(_ m: LinkMode, id: ObjectID, at tmp: String, mode: mode_t) -> Int32 {
        let object = store.path(of: id)
        switch m {
        case .hardlink:
            // Objects are made 0444; one made otherwise (by hand) is fixed before it is shared.
            _ = chmod(object, 0o444)
            return link(object, tmp) == 0 ? 0 : errno
        case .symlink:
            _ = chmod(object, 0o444)
            let target = FileIO.relativePath(of: object, from: FileIO.parentDirectory(tmp))
            return symlink(target, tmp) == 0 ? 0 : errno
        case .reflink:
            return Reflink.clone(from: object, to: tmp, mode: mode)
        case .copy:
            return 0
        }
    }

    /// A private copy, every byte checked against the id.
    func copy(_ id: ObjectID, to tmp: String, mode: mode_t, syncing: Bool = true) throws {
        let fd = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        do {
            try store.copy(id, to: fd, path: tmp)
            if syncing { try FileIO.fsync(fd, path: tmp) }
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }
}

/// Copy-on-write clones through the Linux FICLONE ioctl.
enum Reflink {
    /// `_IOW(0x94, 9, int)`.
    static let FICLONE: UInt = 0x4004_9409

    /// Clones `source` into a new file `dest`; zero on success, else errno (`dest` left to the caller).
    static func clone(from source: String, to dest: String, mode: mode_t) -> Int32 {
        let src = Glibc.open(source, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { return errno }
        defer { close(src) }
        let out = Glibc.open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard out >= 0 else { return errno }
        defer { close(out) }
        guard ioctl(out, FICLONE, src) == 0 else { return errno }
        return fsync(out) == 0 ? 0 : errno
    }
}

extension WorkTreeLinker {
    /// Whether the work-tree file at `abs` is object `id` itself (its hardlink), or any symlink
    /// (writing through it would reach what it points to).
    public static func isShared(_ abs: String, id: ObjectID, store: ObjectStore) throws -> Bool {
        guard let st = try FileIO.lstat(abs) else { return false }
        if st.kind == .symlink { return true }
        return try st.kind == .file && isHardlink(st, of: id, store: store)
    }

    /// Whether `st` is the inode of object `id` in the store.
    static func isHardlink(_ st: FileStat, of id: ObjectID, store: ObjectStore) throws -> Bool {
        guard let o = try FileIO.lstat(store.path(of: id)), o.kind == .file else { return false }
        return o.device == st.device && o.inode == st.inode
    }

    /// The object a work-tree symlink made by `symlink` mode points to: its target, read
    /// lexically from the link's folder, is a name under the store's `objects/`.
    static func linkedObject(_ abs: String, store: ObjectStore) -> ObjectID? {
        guard let target = try? FileIO.readLink(abs) else { return nil }
        let full = FileIO.normalized(target.hasPrefix("/") ? target : FileIO.parentDirectory(abs) + "/" + target)
        let prefix = FileIO.normalized(store.objectsDirectory) + "/"
        guard full.hasPrefix(prefix) else { return nil }
        let rest = full.dropFirst(prefix.count)
        guard rest.count == 65, rest.dropFirst(2).first == "/" else { return nil }
        return ObjectID(hex: String(rest.prefix(2) + rest.dropFirst(3)))
    }
}
