import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// Checks every column the spec names against its CSV input's header before a build runs a
/// step, so a typo fails at its `sds.yaml:LINE:COL` with a "did you mean" instead of mid-build.
///
/// Only the first record of each input is read: from the work-tree file, or from the store
/// when the file is tracked by a pointer but not checked out. An input that is a run step's
/// output (`steps.NAME`), or that cannot be found, is left to the build to report.
struct InputHeaderCheck {
    let workspace: Workspace
    /// Folder of sds.yaml relative to the workspace root ("" at the root).
    let specDirectory: String

    /// Bytes read from the start of a file: a header longer than this is not checked.
    static let prefixLimit = 1 << 16

    /// - Parameter warn: told of each header field without a name (read as `column_N`).
    func check(_ spec: Spec, warn: (String) -> Void = { _ in }) throws {
        for input in spec.inputColumns where Spec.stepReference(input.input) == nil {
            guard let names = try input.header ?? header(input, warn: warn) else { continue }
            for ref in input.columns where !names.contains(ref.name) {
                throw ref.error("'\(ref.specPath)': \(input.reader) has no column \"\(ref.name)\" in \(input.input)",
                                hint: TableHeader.suggestion(for: ref.name, among: names).map { "did you mean '\($0)'?" }
                                    ?? "its columns: " + Self.list(names))
            }
            if let wide = input.widePattern, !TableHeader.matchesWide(wide.name, names: names) {
                throw wide.error("'\(wide.specPath)': no column of \(input.input) matches \"\(wide.name)\"",
                                 hint: "its columns: " + Self.list(names))
            }
        }
    }

    private static func list(_ names: [String]) -> String {
        names.prefix(12).map { "\"\($0)\"" }.joined(separator: ", ") + (names.count > 12 ? ", …" : "")
    }

    /// The header names of a CSV input, or nil when it cannot be read here.
    private func header(_ input: Spec.InputColumns, warn: (String) -> Void) throws -> [String]? {
        let rel = specDirectory.isEmpty || input.input.hasPrefix("/") ? input.input : specDirectory + "/" + input.input
        let path = rel.hasPrefix("/") ? rel : workspace.absolute(rel)
        var file = path
        if try FileIO.lstat(path) == nil {
            guard let id = try storedObject(rel) else { return nil }
            file = workspace.store.path(of: id)
        }
        // A compressed input's header is checked by the reader, which inflates it.
        guard let (bytes, complete) = try? Self.prefix(of: file), InputDecompression.kind(bytes) == nil else { return nil }
        for field in TableHeader.unnamedFields(bytes, delimiter: input.delimiter, complete: complete) {
            warn("\(input.input): field \(field) of the header has no name; it is read as column_\(field)")
        }
        return TableHeader.names(bytes, delimiter: input.delimiter, complete: complete)
    }

    /// The first bytes of a file, and whether they are all of it.
    private static func prefix(of path: String) throws -> ([UInt8], Bool) {
        let fd = try FileIO.open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: prefixLimit)
        let n = try buffer.withUnsafeMutableBytes { try FileIO.readFull(fd, $0.baseAddress!, prefixLimit, path: path) }
        return (Array(buffer.prefix(n)), n < prefixLimit)
    }

    /// The stored object of work-tree path `rel` through the pointer file of it or of a folder
    /// above it; nil when no pointer covers it or its objects are not in the store.
    private func storedObject(_ rel: String) throws -> ObjectID? {
        var parts: [Substring] = []
        for part in rel.split(separator: "/") where part != "." {
            if part == ".." { guard !parts.isEmpty else { return nil }; parts.removeLast() } else { parts.append(part) }
        }
        for i in parts.indices {
            guard let pointer = try? workspace.readPointer(parts[...i].joined(separator: "/")) else { continue }
            var id = pointer.id, isFile = pointer.kind == .file
            for name in parts[(i + 1)...] {
                guard !isFile, workspace.store.contains(id), let tree = try? Tree(decoding: workspace.store.read(id)),
                      let entry = tree.entries.first(where: { $0.name == name }) else { return nil }
                id = entry.id
                isFile = entry.kind == .file || entry.kind == .executable
            }
            return isFile && workspace.store.contains(id) ? id : nil
        }
        return nil
    }
}
