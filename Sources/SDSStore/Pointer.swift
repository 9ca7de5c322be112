import SDSCore

/// The small text file `PATH.sds` that git tracks in place of the data at PATH.
///
/// Fixed line order and plain `key: value` lines so that git diffs read well:
///
///     # sds pointer: git tracks this file; the data lives in .sensorstore (see 'sds checkout').
///     sds-pointer: 1
///     kind: dir
///     id: <64 hex digits>
///     size: 10240000
///     files: 1000
public struct Pointer: Equatable, Sendable {
    public enum Kind: String, Sendable { case file, dir }
    public var kind: Kind
    public var id: ObjectID
    public var size: Int64
    public var files: Int

    public init(kind: Kind, id: ObjectID, size: Int64, files: Int) {
        self.kind = kind
        self.id = id
        self.size = size
        self.files = files
    }

    public static let suffix = ".sds"

    public func encoded() -> [UInt8] {
        Array("""
        # sds pointer: git tracks this file; the data lives in .sensorstore (see 'sds checkout').
        sds-pointer: 1
        kind: \(kind.rawValue)
        id: \(id.hex)
        size: \(size)
        files: \(files)

        """.utf8)
    }

    /// Parses a pointer file; errors carry `file:line`.
    public init(decoding bytes: [UInt8], path: String) throws {
        var fields: [String: (value: String, line: Int)] = [:]
        var lineNumber = 0
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(decoding: raw, as: UTF8.self)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw SDSError(.badData, "expected 'key: value' in a pointer file", path: path, line: lineNumber, column: 1)
            }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingPrefix(" ")
            fields[key] = (String(value), lineNumber)
        }
        func field(_ key: String) throws -> (String, Int) {
            guard let f = fields[key] else {
                throw SDSError(.badData, "pointer file has no '\(key):' line",
                               hint: "restore it from git ('git checkout -- \(path)') or run 'sds add' on the data again",
                               path: path, line: lineNumber, column: 1)
            }
            return f
        }
        let (version, versionLine) = try field("sds-pointer")
        guard version == "1" else {
            throw SDSError(.badData, "pointer format \(Quoted.cut(version)) is newer than this sds understands",
                           hint: "upgrade sds", path: path, line: versionLine, column: 14)
        }
        let (kindText, kindLine) = try field("kind")
        guard let kind = Kind(rawValue: kindText) else {
            throw SDSError(.badData, "kind must be 'file' or 'dir', found \"\(Quoted.cut(kindText))\"", path: path, line: kindLine, column: 7)
        }
        let (idText, idLine) = try field("id")
        guard let id = ObjectID(hex: idText) else {
            throw SDSError(.badData, "id must be 64 lowercase hex digits", path: path, line: idLine, column: 5)
        }
        let (sizeText, sizeLine) = try field("size")
        guard sizeText.allSatisfy(\.isASCII) && sizeText.allSatisfy(\.isNumber), let size = Int64(sizeText) else {
            throw SDSError(.badData, "size must be a whole number of bytes", path: path, line: sizeLine, column: 7)
        }
        let (filesText, filesLine) = try field("files")
        guard filesText.allSatisfy(\.isASCII) && filesText.allSatisfy(\.isNumber), let files = Int(filesText) else {
            throw SDSError(.badData, "files must be a whole number", path: path, line: filesLine, column: 8)
        }
        guard kind == .dir || files == 1 else {
            throw SDSError(.badData, "a pointer of kind 'file' names 1 file, found \(files)", path: path, line: filesLine, column: 8)
        }
        self.init(kind: kind, id: id, size: size, files: files)
    }
}
