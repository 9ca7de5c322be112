import SDSCore

/// One configured remote: `[remote "NAME"]` in `.sensorstore/config`.
public struct RemoteSettings: Sendable, Equatable {
    public var name: String
    /// `s3://BUCKET/PREFIX`, `file:///path` or `/path`.
    public var url: String
    /// Other keys: `endpoint_url`, `region`, `path_style`, `profile`.
    public var options: [String: String]

    public static let knownOptions = ["url", "endpoint_url", "region", "path_style", "profile"]
}

/// The remotes of a store, read from the committed `.sensorstore/config` and then the
/// git-ignored `.sensorstore/config.local` (which wins). Credentials are never kept here.
///
/// ```
/// [core]
///     remote = origin
/// [remote "origin"]
///     url = s3://bucket/datasets
///     endpoint_url = http://127.0.0.1:9000
/// [build]
///     remote_cache = true
/// ```
public struct RemoteConfig {
    let storePath: String
    var shared: INIFile
    var local: INIFile

    public init(storePath: String) throws {
        self.storePath = storePath
        shared = INIFile(text: String(decoding: try FileIO.readFileIfExists(storePath + "/config") ?? [], as: UTF8.self))
        local = INIFile(text: String(decoding: try FileIO.readFileIfExists(storePath + "/config.local") ?? [], as: UTF8.self))
    }

    static func section(_ name: String) -> String { "remote \"\(name)\"" }

    /// A setting, the local file first.
    public func value(_ key: String, in section: String) -> String? {
        local.value(key, in: section) ?? shared.value(key, in: section)
    }

    public var remotes: [RemoteSettings] {
        let names = Set((shared.sections + local.sections).compactMap { s -> String? in
            guard s.hasPrefix("remote \""), s.hasSuffix("\""), s.count > 9 else { return nil }
            return String(s.dropFirst(8).dropLast())
        })
        return names.sorted { FileIO.bytewiseLess($0, $1) }.compactMap(settings)
    }

    func settings(_ name: String) -> RemoteSettings? {
        let s = Self.section(name)
        guard let url = value("url", in: s) else { return nil }
        var options: [String: String] = [:]
        for (k, v) in shared.values(in: s) + local.values(in: s) where k != "url" { options[k] = v }
        return RemoteSettings(name: name, url: url, options: options)
    }

    /// The default remote's name: `core.remote`, or the only remote there is.
    public var defaultName: String? {
        if let n = value("remote", in: "core") { return n }
        let all = remotes
        return all.count == 1 ? all[0].name : nil
    }

    /// `build.remote_cache`: builds look missing steps up on the default remote.
    public var remoteCache: Bool { value("remote_cache", in: "build") == "true" }

    /// The named remote, or the default one; a clear error when there is none.
    public func remote(_ name: String?) throws -> RemoteSettings {
        guard let name = name ?? defaultName else {
            throw SDSError(.notFound, remotes.isEmpty ? "no remote is configured" : "no default remote (there are \(remotes.count))",
                           hint: remotes.isEmpty ? "add one: 'sds remote add origin s3://BUCKET/PREFIX --default' (or a folder path)"
                               : "pass -r NAME, or set one: 'sds remote modify NAME --default'")
        }
        guard let s = settings(name) else {
            throw SDSError(.notFound, "no remote named '\(name)'", hint: "'sds remote list' shows the remotes")
        }
        return s
    }

    static func validateName(_ name: String) throws {
        let ok = !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
        }
        guard ok else { throw SDSError(.usage, "'\(name)' is not a valid remote name", hint: "use letters, digits, '.', '_' and '-'") }
    }

    static func validateURL(_ url: String) throws {
        guard url.hasPrefix("s3://") || url.hasPrefix("file://") || url.hasPrefix("/") else {
            throw SDSError(.usage, "'\(url)' is not a remote URL sds knows",
                           hint: "use s3://BUCKET/PREFIX, file:///path or an absolute folder path")
        }
    }

    public mutating func add(_ name: String, url: String, makeDefault: Bool) throws {
        try Self.validateName(name)
        try Self.validateURL(url)
        guard settings(name) == nil else {
            throw SDSError(.conflict, "remote '\(name)' already exists", hint: "change it with 'sds remote modify \(name) url URL'")
        }
        shared.set("url", url, in: Self.section(name))
        if makeDefault { shared.set("remote", name, in: "core") }
        try save()
    }

    public mutating func remove(_ name: String) throws {
        guard settings(name) != nil else { throw SDSError(.notFound, "no remote named '\(name)'") }
        shared.removeSection(Self.section(name))
        local.removeSection(Self.section(name))
        if shared.value("remote", in: "core") == name { shared.set("remote", nil, in: "core") }
        if local.value("remote", in: "core") == name { local.set("remote", nil, in: "core") }
        try save()
    }

    /// Sets (or with nil, unsets) one option; `local` writes config.local (this clone only).
    public mutating func modify(_ name: String, key: String?, value: String?, makeDefault: Bool, local toLocal: Bool) throws {
        guard settings(name) != nil else { throw SDSError(.notFound, "no remote named '\(name)'", hint: "'sds remote list' shows the remotes") }
        if let key {
            guard RemoteSettings.knownOptions.contains(key) else {
                throw SDSError(.usage, "unknown remote option '\(key)'", hint: "options: " + RemoteSettings.knownOptions.joined(separator: ", "))
            }
            if key == "url", let value { try Self.validateURL(value) }
            if key == "url" && value == nil { throw SDSError(.usage, "a remote needs a url") }
            if toLocal { local.set(key, value, in: Self.section(name)) } else { shared.set(key, value, in: Self.section(name)) }
        }
        if makeDefault { if toLocal { local.set("remote", name, in: "core") } else { shared.set("remote", name, in: "core") } }
        try save()
    }

    func save() throws {
        try FileIO.writeFileAtomically(storePath + "/config", Array(shared.text.utf8))
        let hadLocal = try FileIO.lstat(storePath + "/config.local") != nil
        if !local.text.isEmpty || hadLocal {
            try FileIO.writeFileAtomically(storePath + "/config.local", Array(local.text.utf8))
        }
    }

    /// The backend for a remote; `root` resolves a relative folder path.
    public static func open(_ s: RemoteSettings) throws -> RemoteBackend {
        if s.url.hasPrefix("s3://") {
            return try S3Backend(name: s.name, url: s.url, endpoint: s.options["endpoint_url"], region: s.options["region"],
                                 pathStyle: s.options["path_style"].map { $0 == "true" }, profile: s.options["profile"])
        }
        let path = s.url.hasPrefix("file://") ? String(s.url.dropFirst("file://".count)) : s.url
        return FileBackend(name: s.name, root: path)
    }
}
