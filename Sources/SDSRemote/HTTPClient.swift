import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SDSCore

/// Blocking HTTP requests over URLSession, for worker threads (see `parallelMap`).
///
/// One attempt per call; `S3Backend` decides what to retry. A body shorter than its
/// Content-Length is reported as truncated, never returned as data.
final class HTTPClient: @unchecked Sendable {
    struct Response {
        var status: Int
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
    }

    enum Failure: Error {
        /// The connection failed or the body was cut short: worth another try.
        case transport(String)
    }

    private let config: URLSessionConfiguration

    init() {
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = TransferSizes.parallel * 2
        // Idle time allowed between bytes, not a cap on a whole (large) transfer.
        config.timeoutIntervalForRequest = 30
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.config = config
    }

    func send(_ method: String, _ url: String, headers: [(String, String)], body: [UInt8]?) throws -> Response {
        guard let u = URL(string: url) else { throw Failure.transport("bad URL \(url)") }
        var request = URLRequest(url: u)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if let body {
            request.httpBody = Data(body)
            request.setValue("\(body.count)", forHTTPHeaderField: "Content-Length")
            // Else URLSession labels a POST body as a form, and some servers (moto) parse it away.
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.setValue(method == "POST" ? "application/xml" : "application/octet-stream", forHTTPHeaderField: "Content-Type")
            }
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Response, Error> = .failure(Failure.transport("no answer"))
        // A session per request: no connection outlives it, so none is found dead and resent
        // by libcurl with its body already read (then URLSession stalls until the timeout).
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request) { data, response, error in
            defer { done.signal() }
            if let error {
                result = .failure(Failure.transport("\(error.localizedDescription)"))
                return
            }
            guard let http = response as? HTTPURLResponse else {
                result = .failure(Failure.transport("no HTTP response"))
                return
            }
            var h: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String, let v = v as? String { h[k.lowercased()] = v }
            }
            let bytes = data.map { [UInt8]($0) } ?? []
            if method != "HEAD", let lengthText = h["content-length"], let length = Int(lengthText), length != bytes.count,
               h["content-encoding"] == nil {
                result = .failure(Failure.transport("truncated body: \(bytes.count) of \(length) bytes"))
                return
            }
            result = .success(Response(status: http.statusCode, headers: h, body: bytes))
        }
        task.resume()
        done.wait()
        return try result.get()
    }
}
