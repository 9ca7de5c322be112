import SDSCore
import SDSSensors

/// What a build made of its inputs, in numbers: per study (the wearable form has one, named
/// after the dataset) the rows read and set aside per source, the windows made and those each
/// filter dropped, the subjects `max_subjects` left out, and examples and subjects per split;
/// and the dataset's splits. Kept in the manifest (`report`), so `sds show` prints it too.
///
/// Every number comes from step results, summed in a fixed order: the same build gives the
/// same report, whatever was reused.
public struct BuildReport: Sendable, Equatable {
    public struct Source: Sendable, Equatable {
        public var name: String
        public var rows: Int
        public var setAside: Int
    }

    public struct Filter: Sendable, Equatable {
        public var name: String
        public var dropped: Int
    }

    public struct Split: Sendable, Equatable {
        public var name: String
        public var percent: Int
        public var examples: Int
        public var subjects: Int

        public init(name: String, percent: Int, examples: Int, subjects: Int) {
            self.name = name
            self.percent = percent
            self.examples = examples
            self.subjects = subjects
        }
    }

    public struct Study: Sendable, Equatable {
        public var name: String
        public var sources: [Source] = []
        /// Rows the study's transforms set aside (general pipeline; readers' are per source).
        public var transformSetAside = 0
        public var windows = 0
        public var filters: [Filter] = []
        /// Partitions with examples that `max_subjects` left out, and their examples.
        public var cappedSubjects = 0
        public var cappedExamples = 0
        public var splits: [Split] = []
    }

    public var studies: [Study] = []
    public var splits: [Split] = []

    /// The spec's splits, in its order, with nothing in them yet.
    static func empty(_ parameters: SplitParameters) -> [Split] {
        var out: [Split] = []
        var previous = 0
        for rule in parameters.rules {
            out.append(Split(name: rule.name, percent: rule.upperBound - previous, examples: 0, subjects: 0))
            previous = rule.upperBound
        }
        return out
    }

    /// The dataset's splits, from its shards (a shard lists its subjects, each with examples).
    static func splits(shards: [Builder.Shard], _ parameters: SplitParameters, subject: (String) -> String = { $0 }) -> [Split] {
        empty(parameters).map { s in
            // One file a format holds a shard's examples: count each shard index once.
            var indexes: Set<Int> = []
            let mine = shards.filter { $0.split == s.name && indexes.insert($0.index).inserted }
            return Split(name: s.name, percent: s.percent, examples: mine.reduce(0) { $0 + $1.examples },
                         subjects: Set(mine.flatMap(\.partitions).map(subject)).count)
        }
    }

    /// Examples and subjects per split, in the spec's split order, from (subject, examples) pairs.
    static func splits(_ members: [(subject: String, examples: Int)], _ parameters: SplitParameters) -> [Split] {
        var out = empty(parameters)
        var seen: [Int: Set<String>] = [:]
        for m in members where m.examples > 0 {
            let i = SplitAssigner.assign(entity: m.subject, parameters).splitIndex
            out[i].examples += m.examples
            seen[i, default: []].insert(m.subject)
        }
        for (i, s) in seen { out[i].subjects = s.count }
        return out
    }

    /// Warnings about splits that will not hold what their percents promise.
    public var warnings: [String] {
        let total = splits.reduce(0) { $0 + $1.examples }, subjects = splits.reduce(0) { $0 + $1.subjects }
        guard total > 0 else { return [] }
        func subjectsText(_ n: Int) -> String { n == 1 ? "1 subject" : "\(n) subjects" }
        var out: [String] = []
        for s in splits {
            let share = (s.examples * 100 + total / 2) / total
            if s.subjects < 2 {
                out.append("split '\(s.name)' has \(s.subjects == 0 ? "no subject" : "only 1 subject") (\(s.examples) examples): "
                    + "splits are made by subject, all of a subject's examples in one split, and \(s.percent)% of "
                    + "\(subjectsText(subjects)) is too few to test or validate on; add subjects or use fewer splits")
            }
            if abs(s.examples * 100 - s.percent * total) > 15 * total {
                out.append("split '\(s.name)' holds \(share)% of the examples, not \(s.percent)%: splits are made by subject "
                    + "(a salted hash of its id), not by example, so with \(subjectsText(subjects)) a split's share moves by whole "
                    + "subjects and follows how many examples each has")
            }
        }
        return out
    }

    public var json: JSON {
        func splitsJSON(_ list: [Split]) -> JSON {
            .array(list.map { .object(["split": .string($0.name), "percent": .int(Int64($0.percent)),
                                       "examples": .int(Int64($0.examples)), "subjects": .int(Int64($0.subjects))]) })
        }
        return .object([
            "splits": splitsJSON(splits),
            "studies": .array(studies.map { s in
                .object([
                    "study": .string(s.name),
                    "sources": .array(s.sources.map {
                        .object(["source": .string($0.name), "rows": .int(Int64($0.rows)), "set_aside": .int(Int64($0.setAside))])
                    }),
                    "set_aside_by_transforms": .int(Int64(s.transformSetAside)),
                    "windows": .int(Int64(s.windows)),
                    "filters": .array(s.filters.map { .object(["filter": .string($0.name), "dropped": .int(Int64($0.dropped))]) }),
                    "max_subjects": .object(["subjects": .int(Int64(s.cappedSubjects)), "examples": .int(Int64(s.cappedExamples))]),
                    "splits": splitsJSON(s.splits),
                ])
            }),
        ])
    }

    public init() {}

    /// Reads a manifest's `report` back; nil for builds recorded before it existed.
    public init?(json: JSON?) {
        guard let json, let studies = json["studies"]?.array, let splits = json["splits"]?.array else { return nil }
        func int(_ v: JSON?) -> Int { v?.int ?? 0 }
        func splitList(_ a: [JSON]) -> [Split] {
            a.map { Split(name: $0["split"]?.string ?? "?", percent: int($0["percent"]), examples: int($0["examples"]), subjects: int($0["subjects"])) }
        }
        self.splits = splitList(splits)
        self.studies = studies.map { s in
            var out = Study(name: s["study"]?.string ?? "?")
            out.sources = (s["sources"]?.array ?? []).map { Source(name: $0["source"]?.string ?? "?", rows: int($0["rows"]), setAside: int($0["set_aside"])) }
            out.transformSetAside = int(s["set_aside_by_transforms"])
            out.windows = int(s["windows"])
            out.filters = (s["filters"]?.array ?? []).map { Filter(name: $0["filter"]?.string ?? "?", dropped: int($0["dropped"])) }
            out.cappedSubjects = int(s["max_subjects"]?["subjects"])
            out.cappedExamples = int(s["max_subjects"]?["examples"])
            out.splits = splitList(s["splits"]?.array ?? [])
            return out
        }
    }
}
