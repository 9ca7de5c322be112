import SDSCore

extension Spec {
    /// The file name sds looks for at the workspace root.
    public static let fileName = "sds.yaml"

    /// Top-level keys of the wearable form that sds 0.1.0 removed, each with its study home.
    static let removedKeys = ["grid", "windows", "labels", "caption", "features"]

    /// Parses and validates a spec; every error names `file:line:col`.
    public static func parse(_ text: String, file: String = Spec.fileName) throws -> Spec {
        let root = try SpecNode.parse(text, file: file)
        let top = try root.mapping(allowed: ["dataset", "steps", "sources", "studies", "splits", "output"] + removedKeys)
        // The old wearable form first: its own message beats "missing 'studies'".
        for key in ["grid", "windows"] where top[key] != nil {
            throw root.keyNode(key)!.error("'\(key):' is the old wearable form, removed in sds 0.1.0; write it as a study",
                                  hint: "see docs/spec.md#the-old-wearable-form-removed ('sds help spec'); examples/wearable/sds.yaml is the benchmark job as a study")
        }
        for key in removedKeys where top[key] != nil {
            throw root.keyNode(key)!.error("'\(key)' belongs inside a study ('studies.NAME.\(key)'), not at the top of the spec",
                                  hint: "see docs/spec.md ('sds help spec') and examples/fitbit/sds.yaml")
        }
        try root.requireKeys(["dataset", "sources", "studies", "splits"], in: top)

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
        var spec = try parseFrames(top, dataset: dataset, runSteps: runSteps)
        spec.inputColumns = stepColumns + spec.inputColumns
        return spec
    }
}
