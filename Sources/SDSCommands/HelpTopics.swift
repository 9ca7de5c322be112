import ArgumentParser
import Glibc
import SDSCore

extension SDS {
    /// The entry point: `sds help TOPIC` prints a document (`HelpDocs`), an unknown topic is a
    /// usage error listing the topics, and everything else goes to ArgumentParser, whose own
    /// `help` would print the top-level help for any word it does not know.
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.count >= 2, arguments[0] == "help" {
            let topic = arguments[1]
            if let doc = HelpDocs.topics.first(where: { $0.name == topic }) {
                Output.line(doc.text)
                Glibc.exit(0)
            }
            let verbs = configuration.subcommands.map { $0._commandName }
            if !verbs.contains(topic) && topic != "help" && !topic.hasPrefix("-") {
                Output.error("""
                    error: no help topic '\(topic)'
                    hint: topics: \(HelpDocs.topics.map(\.name).joined(separator: ", "))
                          verbs: \(configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }.joined(separator: ", "))
                    """)
                Glibc.exit(ExitStatus.code(for: .usage))
            }
        }
        main(nil)
    }
}
