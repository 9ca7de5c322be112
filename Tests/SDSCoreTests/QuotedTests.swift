import SDSCore
import Testing

/// Values quoted in messages are cut on a character boundary, with the total length.
@Suite struct QuotedTests {
    @Test func shortValuesAreKeptWhole() {
        #expect(Quoted.cut("subject_id") == "subject_id")
        #expect(Quoted.capLines("a\nb") == "a\nb")
    }

    @Test func longValuesKeepAPrefixAndSayHowLongTheyWere() {
        let cut = Quoted.cut(String(repeating: "é", count: 1000), limit: 301)
        // 150 two-byte characters fit in 301 bytes; a character is never split.
        #expect(cut == String(repeating: "é", count: 150) + "… (2000 bytes in all)")
    }

    @Test func onlyTheLongLineOfAMessageIsCut() {
        let text = "error: found " + String(repeating: "x", count: 10_000) + "\nhint: fix it"
        let capped = Quoted.capLines(text, limit: 100)
        #expect(capped.hasSuffix("… (10013 bytes in all)\nhint: fix it"))
        #expect(capped.utf8.count < 200)
    }
}
