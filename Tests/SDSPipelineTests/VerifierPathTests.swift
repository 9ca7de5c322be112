@testable import SDSPipeline
import Testing

/// `sds verify` puts a spec deep enough that inputs above its folder stay in the temp workspace.
@Suite struct VerifierPathTests {
    @Test func levelsUpCountsTheHighestFolderAPathReaches() {
        #expect(Verifier.levelsUp("data/a.csv") == 0)
        #expect(Verifier.levelsUp("../../../shared/data/machina/sample.csv") == 3)
        #expect(Verifier.levelsUp("a/../../b") == 1)
        #expect(Verifier.levelsUp("./x/./y") == 0)
        #expect(Verifier.levelsUp("a/b/../../../../c") == 2)
    }
}
