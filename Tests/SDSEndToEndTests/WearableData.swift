import Foundation
import Testing

/// The WORKLOAD.md inputs, generated once per machine by ../shared/bench/gen_wearable.py.
enum WearableData {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let generator = repo + "/../shared/bench/gen_wearable.py"
    /// The WORKLOAD job as a study.
    static let spec = repo + "/examples/wearable/sds.yaml"

    /// Tests run in parallel: one generation at a time in this process.
    private static let generating = NSLock()

    /// A folder with heart_rate.csv, steps.csv, sleep_labels.csv for the given size, cached in /tmp.
    ///
    /// Generated into a private folder and renamed into place, so a test never copies a file
    /// another one is still writing (the cache is cold on a fresh CI machine).
    static func folder(subjects: Int, days: Int) throws -> String {
        let dir = NSTemporaryDirectory() + "/sds-wearable-\(subjects)x\(days)"
        generating.lock()
        defer { generating.unlock() }
        if FileManager.default.fileExists(atPath: dir + "/.complete") { return dir }
        try? FileManager.default.removeItem(atPath: dir)
        let fresh = dir + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: fresh)
        // `make test` passes the interop venv's python (numpy pinned) as SDS_PYTHON.
        let python = ProcessInfo.processInfo.environment["SDS_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        let h = try Harness(git: false, sds: false)
        defer { h.cleanup() }
        let r = try h.run(python, [generator, fresh, "--subjects", "\(subjects)", "--days", "\(days)", "--seed", "1"])
        try #require(r.status == 0, "gen_wearable.py failed (needs numpy 2.4.6; set SDS_PYTHON): \(r.stderr)")
        _ = FileManager.default.createFile(atPath: fresh + "/.complete", contents: Data())
        try FileManager.default.moveItem(atPath: fresh, toPath: dir)
        return dir
    }

    /// A workspace (git repo) with the inputs under data/ and the example spec.
    static func workspace(subjects: Int, days: Int, spec: String = spec) throws -> Harness {
        let src = try folder(subjects: subjects, days: days)
        let h = try Harness()
        for f in ["heart_rate.csv", "steps.csv", "sleep_labels.csv"] {
            try FileManager.default.createDirectory(atPath: h.path("data"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: src + "/" + f, toPath: h.path("data/" + f))
        }
        try FileManager.default.copyItem(atPath: spec, toPath: h.path("sds.yaml"))
        return h
    }
}

extension Harness {
    /// `sds build --json`, parsed.
    func buildJSON(_ extra: [String] = [], env: [String: String] = [:]) throws -> [String: Any] {
        let r = try run(Harness.binary, ["build", "--json"] + extra, env: env)
        r.expectOK()
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    /// sha256 of the shard files of out/wearable/1.0.0 (TFRecord, or the format named by
    /// `marker`) concatenated in name order.
    func shardHash(_ marker: String = ".tfrecord-") throws -> String {
        let dir = path("out/wearable/1.0.0")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(marker) }.sorted()
        let r = try run("/bin/sh", ["-c", "cat " + files.map { "'\(dir)/\($0)'" }.joined(separator: " ") + " | sha256sum"])
        return String(r.stdout.prefix(64))
    }

    func shardIDs() throws -> [String: String] {
        let lock = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("sds.lock")))) as! [String: Any]
        return (lock["shards"] as! [String: [String: Any]]).mapValues { $0["id"] as! String }
    }
}
