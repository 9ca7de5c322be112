import Foundation
import Testing

/// Runs the built `sds` binary and git in temp repositories, as a user would.
struct Harness {
    let root: String

    /// The `sds` built beside this test bundle (override with SDS_BIN).
    static let binary: String = {
        if let b = ProcessInfo.processInfo.environment["SDS_BIN"] { return b }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var dir = (exe as NSString).deletingLastPathComponent
        while !FileManager.default.fileExists(atPath: dir + "/sds") && dir != "/" {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir + "/sds"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A fresh temp folder with `git init` and `sds init` already run (unless `git`/`sds` is false).
    init(git: Bool = true, sds: Bool = true) throws {
        root = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                           appropriateFor: URL(fileURLWithPath: "/tmp"), create: true).path
        if git {
            try run("git", ["init", "-q", "-b", "main"]).expectOK()
            try run("git", ["config", "user.email", "t@example.com"]).expectOK()
            try run("git", ["config", "user.name", "Test"]).expectOK()
        }
        if sds { try self.sds("init").expectOK() }
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: root) }

    @discardableResult
    func run(_ tool: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "/usr/bin/env")
        p.arguments = tool.hasPrefix("/") ? args : [tool] + args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd ?? root)
        var environment = ProcessInfo.processInfo.environment
        let binDir = (Self.binary as NSString).deletingLastPathComponent
        environment["PATH"] = binDir + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["NO_COLOR"] = "1"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    @discardableResult
    func sds(_ args: String..., cwd: String? = nil, env: [String: String] = [:]) throws -> Result {
        try run(Self.binary, args, cwd: cwd, env: env)
    }

    @discardableResult
    func git(_ args: String...) throws -> Result { try run("git", args) }

    func path(_ rel: String) -> String { root + "/" + rel }

    func write(_ rel: String, _ text: String) throws {
        try write(rel, Data(text.utf8))
    }

    func write(_ rel: String, _ data: Data) throws {
        let url = URL(fileURLWithPath: path(rel))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func read(_ rel: String) throws -> String { try String(contentsOfFile: path(rel), encoding: .utf8) }

    func exists(_ rel: String) -> Bool { FileManager.default.fileExists(atPath: path(rel)) }

    /// Commits everything (pointer files, .gitignore) with a message.
    func commitAll(_ message: String) throws {
        try git("add", "-A").expectOK()
        try git("commit", "-q", "-m", message).expectOK()
    }
}

extension Harness.Result {
    func expectOK(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 0, "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)", sourceLocation: sourceLocation)
    }

    func expectStatus(_ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == code, "exit \(status), wanted \(code)\nstdout: \(stdout)\nstderr: \(stderr)",
                sourceLocation: sourceLocation)
    }
}
