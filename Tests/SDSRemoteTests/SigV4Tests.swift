import SDSRemote
import Testing

/// The examples of AWS's "Signature Calculations for the Authorization Header" S3 page.
@Suite struct SigV4Tests {
    let signer = SigV4(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                       sessionToken: nil, region: "us-east-1")
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    func signature(_ headers: [(String, String)]) -> String {
        let auth = headers.first { $0.0 == "Authorization" }!.1
        return String(auth[auth.range(of: "Signature=")!.upperBound...])
    }

    @Test func getObjectWithRange() {
        let h = signer.sign(method: "GET", path: "/test.txt", query: [],
                            headers: [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9")],
                            payloadHash: Self.empty, date: "20130524T000000Z")
        #expect(signature(h) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(h.first { $0.0 == "Authorization" }!.1.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"))
    }

    @Test func putObjectWithEncodedKey() {
        let h = signer.sign(method: "PUT", path: "/" + SigV4.encode("test$file.text", keepSlash: true), query: [],
                            headers: [("host", "examplebucket.s3.amazonaws.com"), ("date", "Fri, 24 May 2013 00:00:00 GMT"),
                                      ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", date: "20130524T000000Z")
        #expect(signature(h) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func listObjectsWithQuery() {
        let h = signer.sign(method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")],
                            headers: [("host", "examplebucket.s3.amazonaws.com")], payloadHash: Self.empty, date: "20130524T000000Z")
        #expect(signature(h) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func amzDateIsUTCCalendar() {
        #expect(SigV4.amzDate(unixSeconds: 1_369_353_600) == "20130524T000000Z")
        #expect(SigV4.amzDate(unixSeconds: 951_825_599) == "20000229T115959Z")
        #expect(SigV4.amzDate(unixSeconds: 0) == "19700101T000000Z")
    }
}
