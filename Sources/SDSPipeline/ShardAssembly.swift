/// Concatenates the record chunks of a shard's subjects (entity order) into one shard file.
enum ShardAssembly {
    static let operatorName = "tfrecord.shard"
    static let operatorVersion = 1
}
