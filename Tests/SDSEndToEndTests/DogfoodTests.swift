import Foundation
import Testing

/// The repository versions its own example data with sds: the committed pointer must keep
/// naming exactly what the generator writes (same bytes, same tree encoding, any machine).
@Suite struct DogfoodTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func committedExamplePointerMatchesRegeneratedData() throws {
        let h = try Harness(git: false)
        defer { h.cleanup() }
        try h.run(Self.repo + "/scripts/gen-demo-data.sh", [h.path("wearable-demo"), "8", "3"]).expectOK()
        try h.sds("add", "wearable-demo").expectOK()
        let committed = try String(contentsOfFile: Self.repo + "/examples/wearable-demo.sds", encoding: .utf8)
        #expect(try h.read("wearable-demo.sds") == committed)
    }
}
