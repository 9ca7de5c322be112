import Crypto
import SDSCore
import SDSSensors

/// AWS Signature Version 4 for S3 requests (the `Authorization` header form).
///
/// Pure and deterministic: the caller passes the time, so tests check it against AWS's
/// published example signatures.
public struct SigV4: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?
    public var region: String
    public var service = "s3"

    public init(accessKey: String, secretKey: String, sessionToken: String?, region: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.region = region
    }

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256`, the session
    /// token if any, and `Authorization`. `headers` are the request's own headers to sign
    /// (lower-case names; `host` among them).
    /// - Parameters:
    ///   - path: the URI path, already percent-encoded as it is sent.
    ///   - query: decoded query parameters.
    ///   - payloadHash: hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    ///   - date: `YYYYMMDD'T'HHMMSS'Z'`.
    public func sign(method: String, path: String, query: [(String, String)], headers: [(String, String)],
                     payloadHash: String, date: String) -> [(String, String)] {
        var all = headers.map { ($0.0.lowercased(), $0.1.trimmingSpaces) }
        all.append(("x-amz-date", date))
        all.append(("x-amz-content-sha256", payloadHash))
        if let sessionToken { all.append(("x-amz-security-token", sessionToken)) }
        all.sort { $0.0 < $1.0 }
        let encoded: [(String, String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        let sortedQuery = encoded.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let canonicalQuery = sortedQuery.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let signedHeaders = all.map(\.0).joined(separator: ";")
        let headerLines: String = all.map { "\($0.0):\($0.1)\n" }.joined()
        let canonical = [method, path, canonicalQuery, headerLines, signedHeaders, payloadHash].joined(separator: "\n")
        let day = String(date.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = "AWS4-HMAC-SHA256\n\(date)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(canonical.utf8))))"
        var key = SymmetricKey(data: Array(("AWS4" + secretKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(toSign.utf8), using: key))
        var out = all.filter { $0.0 == "x-amz-date" || $0.0 == "x-amz-content-sha256" || $0.0 == "x-amz-security-token" }
        out.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return out
    }

    /// Percent-encodes everything but the unreserved characters (RFC 3986), as SigV4 asks.
    public static func encode(_ s: String, keepSlash: Bool = false) -> String {
        var out = ""
        for b in s.utf8 {
            let unreserved = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~")
            if unreserved || (keepSlash && b == UInt8(ascii: "/")) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let digits = Array("0123456789ABCDEF")
                out += "%" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
            }
        }
        return out
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ d: SHA256.Digest) -> String { hex(Array(d)) }
    static func hex(_ d: HashedAuthenticationCode<SHA256>) -> String { hex(Array(d)) }

    /// `YYYYMMDD'T'HHMMSS'Z'` for a Unix time, in UTC without the C library's locale.
    public static func amzDate(unixSeconds t: Int64) -> String {
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        let (y, m, d) = CivilTime.civil(day: days)
        func two<I: BinaryInteger>(_ v: I) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)\(two(m))\(two(d))T\(two(secs / 3600))\(two(secs / 60 % 60))\(two(secs % 60))Z"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" || s.first == "\r" { s.removeFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\r" { s.removeLast() }
        return String(s)
    }
}
