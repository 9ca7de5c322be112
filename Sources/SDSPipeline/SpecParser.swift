import SDSCore
import SDSSensors

extension Spec {
    /// The file name sds looks for at the workspace root.
    public static let fileName = "sds.yaml"

    /// Parses and validates a spec; every error names `file:line:col`.
    public static func parse(_ text: String, file: String = Spec.fileName) throws -> Spec {
        let root = try SpecNode.parse(text, file: file)
        let top = try root.mapping(
            allowed: ["dataset", "steps", "sources", "studies", "labels", "grid", "windows", "caption", "splits", "features", "output"])
        // Every missing key at once: the wearable form also needs grid, windows and features.
        let wearableOnly = ["grid", "windows", "features"]
        let general = top["studies"] != nil || wearableOnly.allSatisfy { top[$0] == nil }
        try root.requireKeys(["dataset", "sources"] + (general && top["studies"] == nil ? ["studies"] : [])
                                 + (general ? [] : wearableOnly) + ["splits"],
                             in: top, or: general ? nil : "or 'studies' for the general pipeline")

        let ds = try top["dataset"]!.mapping(allowed: ["name", "version", "description"], required: ["name", "version"])
        let name = try ds["name"]!.string()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw ds["name"]!.error("dataset.name must be letters, digits and '_' (it names the shard files)")
        }
        let version = try ds["version"]!.string()
        guard version.split(separator: ".").count == 3, version.split(separator: ".").allSatisfy({ Int($0) != nil }) else {
            throw ds["version"]!.error("dataset.version must look like 1.0.0, found \"\(version)\"")
        }
        let dataset = Dataset(name: name, version: version, description: try ds["description"]?.string() ?? "")

        var stepColumns: [InputColumns] = []
        let runSteps = try parseRunSteps(top["steps"], columns: &stepColumns)
        if top["studies"] != nil {
            for key in ["labels", "grid", "windows", "caption", "features"] where top[key] != nil {
                throw top[key]!.error("'\(key)' belongs to the wearable form of the spec; with 'studies', put it inside a study",
                                      hint: "see examples/fitbit/sds.yaml")
            }
            var spec = try parseFrames(top, dataset: dataset, runSteps: runSteps)
            spec.inputColumns = stepColumns + spec.inputColumns
            return spec
        }
        var sources: [Source] = []
        var inputColumns: [InputColumns] = []
        for (sname, node) in try top["sources"]!.namedEntries() {
            let m = try node.mapping(allowed: ["path", "format", "entity", "time", "channels"],
                                     required: ["path", "entity", "time", "channels"])
            _ = try m["format"]?.oneOf(["long_csv"])
            var channels: [Channel] = []
            var columnNodes: [SpecNode] = []
            for (cname, cnode) in try m["channels"]!.namedEntries() {
                let c = try cnode.mapping(allowed: ["column", "type", "valid", "duplicates"], required: ["column"])
                columnNodes.append(c["column"]!)
                _ = try c["type"]?.oneOf(["int"])
                var valid: ClosedRange<Int64>?
                if let v = c["valid"] {
                    let bounds = try v.list()
                    guard bounds.count == 2 else { throw v.error("'\(v.path)' must be [min, max]") }
                    let lo = try bounds[0].int(), hi = try bounds[1].int()
                    guard lo <= hi else { throw v.error("'\(v.path)': min \(lo) is above max \(hi)") }
                    valid = lo...hi
                }
                channels.append(Channel(name: cname, column: try c["column"]!.string(), valid: valid,
                                        duplicates: try c["duplicates"]?.oneOf(["first", "all"]) ?? "all"))
            }
            try checkStepReference(m["path"]!, try m["path"]!.string(), steps: runSteps)
            inputColumns.append(InputColumns(
                input: try m["path"]!.string(), reader: "source '\(sname)'", delimiter: UInt8(ascii: ","), header: nil,
                columns: try ([m["entity"]!, m["time"]!] + columnNodes).flatMap { try $0.columnReferences() }))
            sources.append(Source(name: sname, path: try m["path"]!.string(), entity: try m["entity"]!.string(),
                                  time: try m["time"]!.string(), channels: channels))
        }
        let channelNames = sources.flatMap { $0.channels.map(\.name) }

        var labels: [Label] = []
        for (lname, node) in try top["labels"]?.namedEntries() ?? [] {
            let m = try node.mapping(allowed: ["path", "entity", "date", "column", "feature", "missing", "present_feature"],
                                     required: ["path", "entity", "date", "column", "feature"])
            try checkStepReference(m["path"]!, try m["path"]!.string(), steps: runSteps)
            inputColumns.append(InputColumns(
                input: try m["path"]!.string(), reader: "label '\(lname)'", delimiter: UInt8(ascii: ","), header: nil,
                columns: try [m["entity"]!, m["date"]!, m["column"]!].flatMap { try $0.columnReferences() }))
            labels.append(Label(name: lname, path: try m["path"]!.string(), entity: try m["entity"]!.string(),
                                date: try m["date"]!.string(), column: try m["column"]!.string(),
                                feature: try m["feature"]!.string(), missing: try m["missing"]?.double() ?? -1,
                                presentFeature: try m["present_feature"]?.string() ?? ""))
        }

        let grid = try top["grid"]!.mapping(allowed: ["step", "channels"], required: ["step", "channels"])
        guard try grid["step"]!.durationSeconds() == 60 else {
            throw grid["step"]!.error("grid.step: only a 1m grid is supported in this version")
        }
        var alignment: [Alignment] = []
        for (cname, node) in try grid["channels"]!.namedEntries() {
            guard channelNames.contains(cname) else {
                throw node.error("grid.channels.\(cname): no source has a channel '\(cname)'",
                                 hint: SpecNode.closest(cname, in: channelNames).map { "did you mean '\($0)'?" })
            }
            let m = try node.mapping(allowed: ["resample", "fill", "max_gap", "normalize"], required: ["resample"])
            var gap: Int?
            if let f = m["fill"] {
                _ = try f.oneOf(["forward"])
                guard let g = m["max_gap"] else { throw f.error("a forward fill needs 'max_gap' (e.g. 5m)") }
                gap = Int(try g.durationSeconds() / 60)
            }
            var norm: (Double, Double)?
            if let n = m["normalize"] {
                let nm = try n.mapping(allowed: ["mean", "std"], required: ["mean", "std"])
                let std = try nm["std"]!.double()
                guard std > 0 else { throw nm["std"]!.error("normalize.std must be above 0") }
                norm = (try nm["mean"]!.double(), std)
            }
            alignment.append(Alignment(channel: cname, resample: try m["resample"]!.oneOf(["mean", "sum"]),
                                       fillMaxGapMinutes: gap, normalize: norm))
        }

        let w = try top["windows"]!.mapping(allowed: ["length", "align", "min_coverage"], required: ["length"])
        guard try w["length"]!.durationSeconds() == 86400 else {
            throw w["length"]!.error("windows.length: only 1d windows are supported in this version")
        }
        _ = try w["align"]?.oneOf(["calendar_day"])
        var coverage = Windows(coverageChannel: alignment.first?.channel ?? "", minCoverageMinutes: 0)
        if let mc = w["min_coverage"] {
            let m = try mc.mapping(allowed: ["channel", "minutes"], required: ["channel", "minutes"])
            coverage = Windows(coverageChannel: try m["channel"]!.string(), minCoverageMinutes: Int(try m["minutes"]!.int()))
        }

        let splits = try parseSplits(top["splits"]!)

        let f = try top["features"]!.mapping(allowed: ["sensor", "constants"], required: ["sensor"])
        let sensor = try f["sensor"]!.list().map { try $0.string() }
        var constants: [(String, String)] = []
        for (k, v) in try f["constants"]?.namedEntries() ?? [] { constants.append((k, try v.string())) }

        let captionNode = try top["caption"]?.mapping(allowed: ["template"], required: ["template"])["template"]
        let caption = try captionNode?.string() ?? ""
        if let captionNode {
            // Checked here so a bad placeholder points at its line in the spec.
            do throws(SensorError) {
                try CaptionTemplate(caption).validate(channelNames: channelNames)
            } catch {
                throw captionNode.error(error.message)
            }
        }
        let output = try parseOutput(top["output"])

        var spec = Spec(dataset: dataset, sources: sources, labels: labels, alignment: alignment, windows: coverage,
                        captionTemplate: caption, splits: splits,
                        sensorChannels: sensor, constants: constants, outputDirectory: output.directory, runSteps: runSteps)
        spec.inputColumns = stepColumns + inputColumns
        spec.output = output.formats
        return spec
    }
}
