import Foundation
import SDSFuzzTargets
import Testing

/// Replays the committed fuzz inputs through each target in-process (tests/fuzz/run.sh fuzzes).
///
/// `corpus/TARGET` holds the seeds; `regressions/TARGET` every input that once crashed sds. A
/// regression that traps again stops this test process, which is the failure.
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../tests/fuzz").standardized.path

    static func files(_ kind: String, _ target: String) -> [String] {
        let dir = "\(root)/\(kind)/\(target)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted().map { "\(dir)/\($0)" }
    }

    @Test(arguments: FuzzTargets.all.keys.sorted())
    func seedsAndRegressionsRunWithoutATrap(target: String) throws {
        let seeds = Self.files("corpus", target)
        #expect(!seeds.isEmpty, "no seed corpus in tests/fuzz/corpus/\(target)")
        for path in seeds + Self.files("regressions", target) {
            FuzzTargets.all[target]!(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }

    @Test func everyCorpusFolderNamesATarget() throws {
        for kind in ["corpus", "regressions"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.root)/\(kind)")) ?? []
            for name in names where !name.hasPrefix(".") { #expect(FuzzTargets.all[name] != nil, "tests/fuzz/\(kind)/\(name) names no target") }
        }
    }
}
