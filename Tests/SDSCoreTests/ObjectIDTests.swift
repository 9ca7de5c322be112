import SDSCore
import Testing

@Suite struct ObjectIDTests {
    @Test func hexRoundTrip() throws {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let id = try #require(ObjectID(hex: hex))
        #expect(id.hex == hex)
        #expect(id.short == "ba7816bf8f01")
        #expect(id.bytes.first == 0xba && id.bytes.last == 0xad)
        #expect(ObjectID(digest: id.bytes) == id)
    }

    @Test func rejectsMalformedHex() {
        #expect(ObjectID(hex: "BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == nil)
        #expect(ObjectID(hex: "ba78") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 64)) == nil)
    }

    @Test func orderIsByteOrder() throws {
        let a = try #require(ObjectID(hex: "00" + String(repeating: "f", count: 62)))
        let b = try #require(ObjectID(hex: "01" + String(repeating: "0", count: 62)))
        #expect(a < b)
    }

    @Test func dataErrorsPrintCompilerStyle() {
        let e = SDSError(.badData, "expected number, found \"1.2.3\"", path: "data/imu.csv", line: 1203, column: 17)
        #expect(e.description == "data/imu.csv:1203:17: error: expected number, found \"1.2.3\"")
        let h = SDSError(.usage, "no store", hint: "run sds init")
        #expect(h.description == "error: no store\nhint: run sds init")
    }
}
