/// A transform of one partition's frame: clean, pivot, resample, fill, derive…
///
/// Each operator is a small value holding its parameters. The planner knows only this
/// protocol: a step's key is `name`, `version`, `parameters()` and the input's object id, so
/// adding an operator never touches the planner. Changing what an operator writes for the
/// same input needs a `version` bump (a golden-hash test notices a forgotten one).
public protocol FrameOperator: Sendable {
    /// A stable name such as `frame.resample`; part of every step key.
    static var name: String { get }
    static var version: Int { get }
    /// The canonical bytes of exactly the parameters `apply` reads.
    func parameters() -> [UInt8]
    /// Transforms `frame`; rows it rejects as bad data go to `quarantine`.
    func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame
}

/// Bad rows set aside instead of failing the build, counted by reason.
///
/// In strict mode the first rejection throws instead, with its `file:line`. Only the first
/// `keep` locations of each reason are kept, so a broken file cannot blow up memory.
public struct Quarantine: Sendable, Equatable {
    public struct Reason: Sendable, Equatable {
        public var reason: String
        public var count: Int
        /// The first few rejected rows, as `file:line:col` (`file:line` for a row an operator
        /// rejected as a whole).
        public var locations: [String]
        /// The first rejected row's error as printed (`file:line:col: message`), when the
        /// reader gave one. Kept in memory only (not encoded, not compared): a failing
        /// validation gate prints it.
        public var first: String? = nil

        public static func == (a: Reason, b: Reason) -> Bool {
            a.reason == b.reason && a.count == b.count && a.locations == b.locations
        }
    }

    public var strict: Bool
    public private(set) var reasons: [Reason] = []
    public static let keep = 5

    public init(strict: Bool = false) { self.strict = strict }

    public var total: Int { reasons.reduce(0) { $0 + $1.count } }

    /// Sets a row aside for `reason`; in strict mode throws a data error at its line instead.
    /// `line` 0 means the row has no raw line (it was made by an operator).
    public mutating func reject(_ reason: String, file: String, line: Int64, column: Int? = nil,
                                code: SensorError.Code = .badValue, message: String? = nil) throws(SensorError) {
        if strict {
            throw SensorError(code, reason, file: file.isEmpty ? nil : file,
                              line: line > 0 ? Int(line) : nil, column: column)
        }
        // Built only for the rows kept: a broken file can reject millions.
        func location() -> String {
            line > 0 ? "\(file):\(line)" + (column.map { ":\($0)" } ?? "") : file.isEmpty ? "a row made by an operator" : file
        }
        if let i = reasons.firstIndex(where: { $0.reason == reason }) {
            reasons[i].count += 1
            if reasons[i].locations.count < Self.keep { reasons[i].locations.append(location()) }
        } else {
            let first = message.map { SensorError(code, $0, file: file.isEmpty ? nil : file, line: line > 0 ? Int(line) : nil,
                                                  column: column).description }
            reasons.append(Reason(reason: reason, count: 1, locations: [location()], first: first))
        }
    }

    /// Sets row `i` of `frame` aside, at its raw file and line (see `Frame.location(ofRow:)`).
    public mutating func reject(_ reason: String, row i: Int, of frame: Frame, column: Int? = nil,
                                code: SensorError.Code = .badValue) throws(SensorError) {
        let (file, line) = frame.location(ofRow: i)
        try reject(reason, file: file ?? "", line: Int64(line ?? 0), column: column, code: code)
    }

    /// Rewrites every kept location (the planner moves frame-relative lines to file lines).
    public mutating func relocate(_ transform: (String) -> String) {
        for i in reasons.indices { reasons[i].locations = reasons[i].locations.map(transform) }
    }

    /// Adds another report's counts (reasons stay in first-seen order).
    public mutating func merge(_ other: Quarantine) {
        for r in other.reasons {
            if let i = reasons.firstIndex(where: { $0.reason == r.reason }) {
                reasons[i].count += r.count
                reasons[i].locations.append(contentsOf: r.locations.prefix(Self.keep - reasons[i].locations.count))
            } else {
                reasons.append(r)
            }
        }
    }

    static let tag = ObjectTag("sQRN", version: 1, name: "Quarantine")

    /// The canonical bytes (strictness is not stored: it is how a run reacts, not a result).
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.count(reasons.count)
        for r in reasons {
            w.string(r.reason)
            w.count(r.count)
            w.count(r.locations.count)
            for l in r.locations { w.string(l) }
        }
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        strict = false
        let n = try r.count(minimumSize: 20)
        for _ in 0..<n {
            let reason = try r.string()
            let count = Int(try r.u64())
            let k = try r.count(minimumSize: 4)
            var locations: [String] = []
            for _ in 0..<k { locations.append(try r.string()) }
            reasons.append(Reason(reason: reason, count: count, locations: locations))
        }
        try r.finish()
    }
}

extension BinaryWriter {
    /// Parameter bytes for a frame operator: a tag naming it, then the fields the closure writes.
    static func parameters(_ name: String, _ body: (inout BinaryWriter) -> Void) -> [UInt8] {
        var w = BinaryWriter(ObjectTag("sPRM", version: 1, name: "parameters"))
        w.string(name)
        body(&w)
        return w.bytes
    }
}
