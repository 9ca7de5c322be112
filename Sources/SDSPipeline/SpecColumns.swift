import SDSCore

extension Spec {
    /// A column name the spec gives, with where it gives it (for `sds.yaml:LINE:COL` errors).
    public struct ColumnReference: Sendable {
        public var name: String
        /// The dotted spec path (`sources.sleep.time.column`).
        public var specPath: String
        public var file: String
        public var line: Int
        public var column: Int

        init(_ name: String, at node: SpecNode) {
            self.name = name
            specPath = node.path
            file = node.file
            line = node.line
            column = node.column
        }

        func error(_ message: String, hint: String?) -> SDSError {
            SDSError(.badData, message, hint: hint, path: file, line: line, column: column)
        }
    }

    /// The header columns the spec reads from one CSV input, checked before a build runs a step.
    public struct InputColumns: Sendable {
        /// The input path as the spec gives it (a `steps.NAME` output is not checked).
        public var input: String
        /// Who reads it, for messages: "source 'sleep'".
        public var reader: String
        public var delimiter: UInt8
        /// The header given in the spec (`header:`), used instead of the file's first line.
        public var header: [String]?
        public var columns: [ColumnReference]
        /// A `wide.pattern` that some header column must match.
        public var widePattern: ColumnReference?
    }
}

extension SpecNode {
    /// The column name(s) at this node, each with its own location (`partition: [a, b]`).
    func columnReferences() throws -> [Spec.ColumnReference] {
        if case .sequence = node { return try list().map { Spec.ColumnReference(try $0.string(), at: $0) } }
        return [Spec.ColumnReference(try string(), at: self)]
    }
}
