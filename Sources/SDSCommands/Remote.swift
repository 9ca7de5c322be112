import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

/// `sds remote add|list|remove|modify`: the remotes in the committed `.sensorstore/config`.
struct Remote: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list, change or remove remotes (S3 buckets or shared folders) to push to and fetch from.",
        discussion: """
            Remotes live in .sensorstore/config, which git tracks, so every clone knows them; 'modify --local' writes .sensorstore/config.local instead (this clone only). Credentials are never stored there: for S3 they come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, or a profile (AWS_PROFILE, or the remote's 'profile') in ~/.aws/credentials and ~/.aws/config, as the AWS CLI reads them.

              sds remote add origin s3://bucket/datasets --default
              sds remote modify origin endpoint_url http://127.0.0.1:9000    (MinIO, Ceph RGW, R2…; path-style addressing)
              sds remote modify origin region eu-west-1
              sds remote add cluster /lustre/team/sds-remote
              sds remote list
              sds remote remove cluster

            Options: url, endpoint_url, region, path_style (true/false), profile. See docs/remotes.md.
            """,
        subcommands: [Add.self, List.self, Remove.self, Modify.self],
        defaultSubcommand: List.self)

    struct Add: ParsableCommand, StoreCommand {
        static let configuration = CommandConfiguration(abstract: "Add a remote: s3://BUCKET/PREFIX, file:///path or /path.")
        @Argument(help: "The remote's name.") var name: String
        @Argument(help: "s3://BUCKET/PREFIX, file:///path or an absolute folder path.") var url: String
        @Flag(help: "Make it the default remote.") var `default` = false

        func run() throws {
            try reporting {
                let ws = try openWorkspace()
                var config = try RemoteConfig(storePath: ws.storePath)
                let url = url.hasPrefix("s3://") || url.hasPrefix("file://") || url.hasPrefix("/") ? url : FileIO.normalized(FileIO.currentDirectory() + "/" + url)
                try config.add(name, url: url, makeDefault: `default`)
                Output.line("added remote '\(name)' (\(url))" + (`default` || config.defaultName == name ? ", the default" : ""))
            }
        }
    }

    struct List: ParsableCommand, StoreCommand {
        static let configuration = CommandConfiguration(abstract: "List the remotes.")
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reporting {
                let ws = try openWorkspace()
                let config = try RemoteConfig(storePath: ws.storePath)
                let def = config.defaultName
                if json {
                    return Output.line(JSON.array(config.remotes.map { r in
                        var o: [String: JSON] = ["name": .string(r.name), "url": .string(r.url), "default": .bool(r.name == def)]
                        for (k, v) in r.options { o[k] = .string(v) }
                        return .object(o)
                    }).canonicalText)
                }
                if config.remotes.isEmpty { return Output.line("no remotes (add one: sds remote add origin s3://BUCKET/PREFIX --default)") }
                for r in config.remotes {
                    let opts = r.options.keys.sorted().map { "\($0)=\(r.options[$0]!)" }.joined(separator: " ")
                    Output.line("\(r.name == def ? "*" : " ") \(r.name)\t\(r.url)" + (opts.isEmpty ? "" : "\t" + opts))
                }
            }
        }
    }

    struct Remove: ParsableCommand, StoreCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a remote (its data stays where it is).")
        @Argument(help: "The remote's name.") var name: String

        func run() throws {
            try reporting {
                let ws = try openWorkspace()
                var config = try RemoteConfig(storePath: ws.storePath)
                try config.remove(name)
                try? FileIO.removeTree(ws.storePath + "/remotes/" + name)
                Output.line("removed remote '\(name)'")
            }
        }
    }

    struct Modify: ParsableCommand, StoreCommand {
        static let configuration = CommandConfiguration(abstract: "Set or unset one option of a remote, or make it the default.")
        @Argument(help: "The remote's name.") var name: String
        @Argument(help: "url, endpoint_url, region, path_style or profile.") var key: String?
        @Argument(help: "The new value (omit with --unset).") var value: String?
        @Flag(help: "Remove the option.") var unset = false
        @Flag(help: "Make it the default remote.") var `default` = false
        @Flag(help: "Write .sensorstore/config.local (this clone only) instead of the shared config.") var local = false

        func validate() throws {
            if key != nil && value == nil && !unset { throw ValidationError("give a VALUE, or --unset") }
            if key == nil && !`default` { throw ValidationError("give KEY VALUE, KEY --unset, or --default") }
        }

        func run() throws {
            try reporting {
                let ws = try openWorkspace()
                var config = try RemoteConfig(storePath: ws.storePath)
                try config.modify(name, key: key, value: unset ? nil : value, makeDefault: `default`, local: local)
                Output.line("remote '\(name)': " + [key.map { unset ? "unset \($0)" : "\($0) = \(value!)" }, `default` ? "now the default" : nil]
                    .compactMap { $0 }.joined(separator: ", "))
            }
        }
    }
}
