import SDSSensors
import SDSTFRecord

extension FrameSpec.Study {
    /// The features of this study's examples, sorted by name.
    var featureSpecs: [ExampleFeatureSpec] { examples.featureSpecs(channels: windowing.channelSpecs()) }
}

extension FrameSpec {
    /// The TFDS description of the dataset: every study writes the same features (checked
    /// when the spec is read), so the first study's declarations stand for all.
    func info(_ dataset: Spec.Dataset) -> TFDSDatasetInfo {
        var features: [String: TFDSFeature] = [:]
        for f in studies.first?.featureSpecs ?? [] { features[f.name] = Self.tfds(f) }
        return TFDSDatasetInfo(name: dataset.name, version: dataset.version, features: features,
                               description: dataset.description.isEmpty ? nil : dataset.description)
    }

    /// Scalars and text are TFDS Scalar and Text; lists are Tensors, of length -1 when it varies.
    static func tfds(_ f: ExampleFeatureSpec) -> TFDSFeature {
        let dtype: TFDSDType = switch f.kind {
        case .float: .float32
        case .int64: .int64
        case .bytes: .string
        }
        if f.width > 1 { return .tensor(shape: [f.length ?? -1, f.width], dtype: dtype) }
        if f.length == 1 && !f.name.hasPrefix("sensor/") && !f.name.hasPrefix("mask/") {
            return f.kind == .bytes ? .text : .scalar(dtype)
        }
        return .tensor(shape: [f.length ?? -1], dtype: dtype)
    }
}
