import Foundation
import SDSCore
@testable import SDSPipeline
import Testing

@Suite struct SpecTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/wearable/sds.yaml")

    func text() throws -> String { try String(contentsOf: Self.example, encoding: .utf8) }

    @Test func parsesTheWearableExample() throws {
        let spec = try Spec.parse(try text())
        #expect(spec.dataset.name == "wearable" && spec.dataset.version == "1.0.0")
        #expect(spec.sources.map(\.name) == ["heart_rate", "steps", "sleep"])
        #expect(spec.frames?.studies.map(\.name) == ["wearable"])
        #expect(spec.splits.names == ["train", "validation", "test"])
        #expect(spec.splits.percents == [80, 10, 10] && spec.splits.shards == [8, 2, 2])
    }

    func error(_ text: String) -> String { specError(text) }

    @Test func misspelledKeyNamesLineColumnAndSuggestion() throws {
        let bad = try text().replacingOccurrences(of: "      align: calendar_day", with: "      aling: calendar_day")
        let line = try text().components(separatedBy: "\n").firstIndex { $0.hasPrefix("      align: calendar_day") }! + 1
        #expect(error(bad) == "sds.yaml:\(line):7: error: unknown key 'aling' in 'studies.wearable.windows'\nhint: did you mean 'align'?")
    }

    @Test func wrongTypeSaysWhatWasExpected() throws {
        let bad = try text().replacingOccurrences(of: "max_gap: 5m", with: "max_gap: five")
        #expect(error(bad).contains("error: 'studies.wearable.windows.features.hr.max_gap' must be a duration like 100ms, 30s, 5m, 1h or 1d, found \"five\""))
        let bad2 = try text().replacingOccurrences(of: "{train: 8,", with: "{train: many,")
        #expect(error(bad2).contains("'splits.shards.train' must be a whole number, found \"many\""))
        #expect(error(bad2).hasPrefix("sds.yaml:"))
    }

    @Test func semanticErrors() throws {
        let unknownChannel = try text().replacingOccurrences(of: "        steps: {step: 1m, aggregate: sum}", with: "        stpes: {step: 1m, aggregate: sum}")
        #expect(error(unknownChannel).contains("no window channel 'steps' in this study"), "\(error(unknownChannel))")
        let percents = try text().replacingOccurrences(of: "test: 10}", with: "test: 20}")
        #expect(error(percents).contains("splits.percent must add up to 100"))
        let template = try text().replacingOccurrences(of: "{hr.mean:%d}", with: "{hr.median:%d}")
        let line = try text().components(separatedBy: "\n").firstIndex { $0.hasPrefix("      template:") }! + 1
        #expect(error(template).hasPrefix("sds.yaml:\(line):7: error: "), "\(error(template))")
        #expect(error(template).contains("hr.median"))
        #expect(error("dataset: [").hasPrefix("sds.yaml:"))
        #expect(error("").contains("the spec is empty"))
    }

    /// The removed wearable form (`grid:`/`windows:` at the top, sds before 0.1.0) is an error
    /// at the key's line that points to the study form; so are its other top-level keys.
    @Test func theOldWearableFormIsAnErrorPointingToTheStudyForm() throws {
        let old = """
            dataset: {name: wearable, version: 1.0.0}
            sources:
              heart_rate: {path: data/heart_rate.csv, entity: subject_id, time: time, channels: {hr: {column: bpm}}}
            grid:
              step: 1m
              channels: {hr: {resample: mean}}
            windows: {length: 1d}
            features: {sensor: [hr]}
            splits: {percent: {train: 100}, shards: {train: 1}}
            """
        let e = error(old)
        #expect(e.hasPrefix("sds.yaml:4:1: error: 'grid:' is the old wearable form, removed in sds 0.1.0; write it as a study"), "\(e)")
        #expect(e.contains("docs/spec.md#the-old-wearable-form-removed"))
        #expect(error(old.replacingOccurrences(of: "grid:", with: "# grid:").replacingOccurrences(of: "  step: 1m\n  channels", with: "#"))
                    .hasPrefix("sds.yaml:6:1: error: 'windows:' is the old wearable form"))
        let labels = try text().replacingOccurrences(of: "studies:", with: "labels: {sleep: {path: data/sleep_labels.csv}}\nstudies:")
        #expect(error(labels).contains("error: 'labels' belongs inside a study ('studies.NAME.labels')"), "\(error(labels))")
    }
}

/// The `steps:` (run step) keys of sds.yaml: errors name line and column, with suggestions.
@Suite struct RunStepSpecTests {
    static let step = """
        steps:
          sleep_labels:
            run: python3 scripts/convert.py {in} {out}
            inputs: [data/raw_sleep.csv]
            outputs: sleep_labels.csv
            code: [scripts/convert.py]
            env: [LABEL_OFFSET]

        """

    func spec(_ steps: String = step) throws -> String {
        steps + (try SpecTests().text()).replacingOccurrences(of: "path: data/sleep_labels.csv", with: "path: steps.sleep_labels")
    }

    @Test func parsesARunStep() throws {
        let s = try Spec.parse(try spec())
        #expect(s.runSteps.count == 1)
        let r = s.runSteps[0]
        #expect(r.name == "sleep_labels" && r.op == "run:sleep_labels" && r.output == "sleep_labels.csv")
        #expect(r.inputs == [Spec.RunStep.Input(name: "raw_sleep.csv", path: "data/raw_sleep.csv")])
        #expect(r.code == ["scripts/convert.py"] && r.env == ["LABEL_OFFSET"] && r.perPartitionEntity == nil)
        #expect(s.sources[2].path == "steps.sleep_labels")
        #expect(try RunCommand.render(r, inputs: ["in/raw sleep.csv"], entity: nil)
                == "python3 scripts/convert.py 'in/raw sleep.csv' out/sleep_labels.csv")
    }

    @Test func errorsNameTheLineAndSuggest() throws {
        let typo = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "    env:", with: "    evn:")))
        #expect(typo == "sds.yaml:7:5: error: unknown key 'evn' in 'steps.sleep_labels'\nhint: did you mean 'env'?", "\(typo)")
        let noOutput = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "    outputs: sleep_labels.csv\n", with: "")))
        #expect(noOutput.contains("error: 'steps.sleep_labels' needs the key 'outputs'"), "\(noOutput)")
        let placeholder = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "{out}", with: "{otu}")))
        #expect(placeholder.hasPrefix("sds.yaml:3:10: error: unknown placeholder {otu} in the command"), "\(placeholder)")
        #expect(placeholder.contains("did you mean {out}?"))
        let reference = SpecTests().error(try spec().replacingOccurrences(of: "path: steps.sleep_labels", with: "path: steps.sleep_label"))
        #expect(reference.contains("error: 'sources.sleep.path': no step 'sleep_label' in 'steps'"), "\(reference)")
        #expect(reference.contains("did you mean 'steps.sleep_labels'?"))
        let env = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "[LABEL_OFFSET]", with: "[LABEL-OFFSET]")))
        #expect(env.contains("'steps.sleep_labels.env[0]' must be an environment variable name"), "\(env)")
        let wrongType = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "[scripts/convert.py]", with: "{a: b}")))
        #expect(wrongType.contains("'steps.sleep_labels.code' must be a list, found a mapping"), "\(wrongType)")
        let later = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "[data/raw_sleep.csv]", with: "[steps.other]")))
        #expect(later.contains("no step 'other' above this one"), "\(later)")
        let outside = SpecTests().error(try spec(Self.step.replacingOccurrences(of: "outputs: sleep_labels.csv", with: "outputs: ../x.csv")))
        #expect(outside.contains("must be a path inside the workspace"), "\(outside)")
    }

    @Test func pythonImportsAreFoundStatically() {
        #expect(CodeFiles.pythonScript("python3 -u ./scripts/x.py {in} {out}") == "scripts/x.py")
        #expect(CodeFiles.pythonScript("scripts/x.py {in}") == "scripts/x.py")
        #expect(CodeFiles.pythonScript("python3 -m tool {in}") == nil)
        #expect(CodeFiles.pythonScript("sh convert.sh") == nil)
        let src = "import os, helper as h\nfrom util.io import read\nfrom . import sib\n  import late  # comment\nx = 'import no'\n"
        #expect(CodeFiles.importedModules(src) == ["os", "helper", "util", "sib", "late"])
    }
}

/// The error a spec text gives, as printed, or "no error".
func specError(_ text: String) -> String {
    do {
        _ = try Spec.parse(text)
        return "no error"
    } catch let e as SDSError {
        return e.description
    } catch { return "\(error)" }
}
