import Glibc
import SDSCore
import SDSStore
import Synchronization

/// A remote in an S3 bucket (AWS, or MinIO, Ceph RGW, R2… through `endpoint_url`).
///
/// Requests are signed with SigV4 (`SigV4`), sent over URLSession (`HTTPClient`), and
/// retried with exponential backoff on connection failures, truncated bodies, 500, 502,
/// 503 (SlowDown) and 504. Whole objects and packs are sent with their SHA-256 signed, so
/// the server rejects a damaged body; large files go by multipart upload, several parts at once.
public final class S3Backend: RemoteBackend, @unchecked Sendable {
    public let name: String
    public let bucket: String
    /// The key prefix, "" or ending in `/`.
    public let prefix: String
    let endpoint: String
    let pathStyle: Bool
    let signer: SigV4
    let http = HTTPClient()
    /// Attempts per request, and the first backoff (doubled each time).
    let attempts: Int
    let backoffMs: Int

    public var displayName: String { "'\(name)' (s3://\(bucket)/\(prefix))" }

    /// - Parameters:
    ///   - url: `s3://BUCKET/PREFIX`.
    ///   - endpoint: `endpoint_url` (e.g. `http://127.0.0.1:9000`); AWS's regional endpoint when nil.
    public init(name: String, url: String, endpoint configuredEndpoint: String?, region configuredRegion: String?,
                pathStyle configuredPathStyle: Bool?, profile: String?) throws {
        self.name = name
        let rest = url.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        bucket = String(parts[0])
        guard !bucket.isEmpty else { throw SDSError(.usage, "remote '\(name)': '\(url)' names no bucket", hint: "write s3://BUCKET/PREFIX") }
        var p = parts.count > 1 ? String(parts[1]) : ""
        while p.hasPrefix("/") { p.removeFirst() }
        if !p.isEmpty && !p.hasSuffix("/") { p += "/" }
        prefix = p
        let region = AWSCredentials.region(configured: configuredRegion, profile: profile)
        let endpointSetting = configuredEndpoint ?? AWSCredentials.env("AWS_ENDPOINT_URL_S3") ?? AWSCredentials.env("AWS_ENDPOINT_URL")
        var e = endpointSetting ?? "https://s3.\(region).amazonaws.com"
        while e.hasSuffix("/") { e.removeLast() }
        endpoint = e
        // A custom endpoint (MinIO, moto, Ceph) usually wants path-style addressing.
        pathStyle = configuredPathStyle ?? (endpointSetting != nil)
        let creds = try AWSCredentials.find(profile: profile)
        signer = SigV4(accessKey: creds.accessKey, secretKey: creds.secretKey, sessionToken: creds.sessionToken, region: region)
        attempts = Int(AWSCredentials.env("SDS_REMOTE_ATTEMPTS") ?? "") ?? 6
        backoffMs = Int(AWSCredentials.env("SDS_REMOTE_BACKOFF_MS") ?? "") ?? 200
    }

    private var hostAndBase: (host: String, scheme: String, base: String) {
        let schemeEnd = endpoint.range(of: "://")
        let scheme = schemeEnd.map { String(endpoint[..<$0.lowerBound]) } ?? "https"
        var host = schemeEnd.map { String(endpoint[$0.upperBound...]) } ?? endpoint
        var basePath = ""
        if let slash = host.firstIndex(of: "/") { basePath = String(host[slash...]); host = String(host[..<slash]) }
        if !pathStyle { host = bucket + "." + host }
        return (host, scheme, basePath)
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    /// One signed request, retried; a final failure is an I/O error naming `key` and the remote.
    func request(_ method: String, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
                 body: [UInt8]? = nil, payloadHash: String? = nil, accept: Set<Int> = [200, 204, 206]) throws -> Reply {
        let (host, scheme, base) = hostAndBase
        var path = base
        if pathStyle { path += "/" + bucket }
        path += "/" + (key.map { SigV4.encode(prefix + $0, keepSlash: true) } ?? "")
        let q = query.map { (SigV4.encode($0.0), SigV4.encode($0.1)) }.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let url = "\(scheme)://\(host)\(path)" + (q.isEmpty ? "" : "?" + q)
        let hash = payloadHash ?? SigV4.hex(Hasher256.id(of: body ?? []).bytes)
        var lastProblem = ""
        let what = key.map { "'\(prefix)\($0)'" } ?? "the listing of '\(prefix)'"
        for attempt in 0..<attempts {
            if attempt > 0 {
                // Exponential backoff with jitter, so clients that failed together do not retry together.
                let ms = backoffMs << (attempt - 1)
                usleep(UInt32(ms * 1000 + Int.random(in: 0...max(1, ms / 2)) * 1000))
            }
            let signed = signer.sign(method: method, path: path, query: query, headers: [("host", host)] + extra,
                                     payloadHash: hash, date: SigV4.amzDate(unixSeconds: Int64(time(nil))))
            let response: HTTPClient.Response
            do {
                response = try http.send(method, url, headers: extra + signed, body: body)
            } catch HTTPClient.Failure.transport(let why) {
                lastProblem = why
                continue
            }
            if accept.contains(response.status) {
                return Reply(status: response.status, headers: response.headers, body: response.body)
            }
            let code = XML.first("Code", in: response.body) ?? ""
            let message = XML.first("Message", in: response.body) ?? ""
            lastProblem = "HTTP \(response.status)" + (code.isEmpty ? "" : " \(code)") + (message.isEmpty ? "" : ": \(message)")
            if [500, 502, 503, 504, 429].contains(response.status) || code == "SlowDown" || code == "RequestTimeout" { continue }
            if response.status == 403 || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" {
                throw SDSError(.io, "remote \(displayName) refused \(method) of \(what): \(lastProblem)",
                               hint: "check the credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws/credentials) and the bucket's permissions")
            }
            if code == "NoSuchBucket" {
                throw SDSError(.notFound, "remote \(displayName): bucket '\(bucket)' does not exist at \(endpoint)",
                               hint: "create it (e.g. 'aws s3 mb s3://\(bucket)') or fix the URL with 'sds remote modify \(name) url s3://BUCKET/PREFIX'")
            }
            throw SDSError(.io, "remote \(displayName): \(method) of \(what) failed: \(lastProblem)")
        }
        throw SDSError(.io, "remote \(displayName): \(method) of \(what) failed after \(attempts) attempts: \(lastProblem)",
                       hint: "the server at \(endpoint) is unreachable or failing; run the command again (what landed is not sent twice)")
    }

    public func list(_ listPrefix: String) throws -> [RemoteEntry] {
        var out: [RemoteEntry] = []
        var token: String?
        repeat {
            var q = [("list-type", "2"), ("prefix", prefix + listPrefix)]
            if let token { q.append(("continuation-token", token)) }
            let r = try request("GET", key: nil, query: q)
            for block in XML.all("Contents", in: r.body) {
                guard let k = XML.first("Key", in: block), k.hasPrefix(prefix), let size = XML.first("Size", in: block).flatMap({ Int64($0) })
                else { continue }
                let modified = XML.first("LastModified", in: block).flatMap(Self.unixSeconds) ?? 0
                out.append(RemoteEntry(key: String(k.dropFirst(prefix.count)), size: size, modified: modified))
            }
            token = XML.first("IsTruncated", in: r.body) == "true" ? XML.first("NextContinuationToken", in: r.body) : nil
        } while token != nil
        return out.sorted { FileIO.bytewiseLess($0.key, $1.key) }
    }

    /// `2026-12-02T14:04:07.000Z` (S3's LastModified) in Unix seconds.
    static func unixSeconds(_ iso: String) -> Int64? {
        let b = Array(iso.utf8)
        guard b.count >= 19 else { return nil }
        func num(_ r: Range<Int>) -> Int64? { Int64(String(decoding: b[r], as: UTF8.self)) }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19)
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + s
    }

    public func get(_ key: String, range: Range<Int64>?) throws -> [UInt8]? {
        let headers = range.map { [("range", "bytes=\($0.lowerBound)-\($0.upperBound - 1)")] } ?? []
        let r = try request("GET", key: key, headers: headers, payloadHash: SigV4.emptyHash, accept: [200, 206, 404])
        if r.status == 404 { return nil }
        if let range, r.body.count != range.count {
            throw SDSError(.badData, "remote \(displayName): '\(prefix)\(key)' returned \(r.body.count) bytes for a range of \(range.count)")
        }
        return r.body
    }

    public func put(_ key: String, _ bytes: [UInt8], sha256: ObjectID?) throws {
        _ = try request("PUT", key: key, body: bytes, payloadHash: sha256.map { SigV4.hex($0.bytes) })
    }

    public func putIfAbsent(_ key: String, _ bytes: [UInt8]) throws -> Bool {
        // Conditional write (If-None-Match: *): two clones racing to create one name cannot both win.
        let r = try request("PUT", key: key, headers: [("if-none-match", "*")], body: bytes, accept: [200, 204, 409, 412])
        if r.status == 200 || r.status == 204 {
            return true
        }
        return false
    }

    public func putFile(_ key: String, path: String, size: Int64, progress: @Sendable (Int64) -> Void) throws {
        let fd = try FileIO.open(path, O_RDONLY)
        defer { close(fd) }
        @Sendable func read(_ range: Range<Int64>) throws -> [UInt8] {
            var buf = [UInt8](repeating: 0, count: Int(range.count))
            var done = 0
            while done < buf.count {
                let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(range.lowerBound) + off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SDSError.io("cannot read", path: path, errno: n == 0 ? EIO : errno) }
                done += n
            }
            return buf
        }
        if size <= TransferSizes.partSize {
            let bytes = try read(0..<size)
            try put(key, bytes, sha256: Hasher256.id(of: bytes))
            return progress(size)
        }
        let start = try request("POST", key: key, query: [("uploads", "")], body: [])
        guard let upload = XML.first("UploadId", in: start.body) else {
            throw SDSError(.io, "remote \(displayName): no upload id in the answer to starting the upload of '\(prefix)\(key)'")
        }
        do {
            let parts = Array(stride(from: Int64(0), to: size, by: Int(TransferSizes.partSize)).enumerated())
            let etags = try parts.parallelMap(jobs: TransferSizes.parallel) { (i, offset) -> String in
                let bytes = try read(offset..<min(size, offset + TransferSizes.partSize))
                let r = try self.request("PUT", key: key, query: [("partNumber", "\(i + 1)"), ("uploadId", upload)], body: bytes,
                                         payloadHash: "UNSIGNED-PAYLOAD")
                progress(Int64(bytes.count))
                return r.headers["etag"] ?? ""
            }
            var xml = "<CompleteMultipartUpload>"
            for (i, e) in etags.enumerated() { xml += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\(XML.escape(e))</ETag></Part>" }
            xml += "</CompleteMultipartUpload>"
            do {
                let done = try request("POST", key: key, query: [("uploadId", upload)], body: Array(xml.utf8))
                // S3 may answer 200 with an error inside the body.
                if let code = XML.first("Code", in: done.body), XML.first("Error", in: done.body) != nil {
                    throw SDSError(.io, "remote \(displayName): completing the upload of '\(prefix)\(key)' failed: \(code)")
                }
            } catch {
                // A completion that landed but whose answer was lost fails when retried (the
                // upload is gone): the object being there with its full size is the success.
                if (try? list(key).first { $0.key == key }?.size) == size { return }
                throw error
            }
        } catch {
            _ = try? request("DELETE", key: key, query: [("uploadId", upload)], accept: [200, 204, 404])
            throw error
        }
    }

    public func getToFile(_ key: String, size: Int64, fd: Int32, path: String, progress: @Sendable (Int64) -> Void) throws {
        let ranges = stride(from: Int64(0), to: size, by: Int(TransferSizes.partSize)).map { $0..<min(size, $0 + TransferSizes.partSize) }
        _ = try ranges.parallelMap(jobs: TransferSizes.parallel) { r in
            guard let bytes = try self.get(key, range: r) else {
                throw SDSError(.notFound, "remote \(self.displayName): '\(self.prefix)\(key)' is gone")
            }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(r.lowerBound) + off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SDSError.io("cannot write", path: path, errno: errno) }
                done += n
            }
            progress(Int64(bytes.count))
        }
    }

    public func delete(_ key: String) throws {
        _ = try request("DELETE", key: key, accept: [200, 204, 404])
    }
}

extension SigV4 {
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

/// Just enough XML for S3's answers: the text of `<Name>…</Name>` elements.
enum XML {
    static func all(_ name: String, in body: [UInt8]) -> [[UInt8]] {
        let open = Array("<\(name)>".utf8), close = Array("</\(name)>".utf8)
        var out: [[UInt8]] = []
        var i = 0
        while let s = find(open, in: body, from: i) {
            guard let e = find(close, in: body, from: s + open.count) else { break }
            out.append(Array(body[(s + open.count)..<e]))
            i = e + close.count
        }
        return out
    }

    static func first(_ name: String, in body: [UInt8]) -> String? {
        let open = Array("<\(name)>".utf8), close = Array("</\(name)>".utf8)
        guard let s = find(open, in: body, from: 0), let e = find(close, in: body, from: s + open.count) else { return nil }
        return unescape(String(decoding: body[(s + open.count)..<e], as: UTF8.self))
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingAll("&quot;", "\"").replacingAll("&apos;", "'").replacingAll("&lt;", "<").replacingAll("&gt;", ">")
            .replacingAll("&#34;", "\"").replacingAll("&amp;", "&")
    }

    static func escape(_ s: String) -> String {
        s.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;").replacingAll("\"", "&quot;")
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
