import Glibc
import SDSCore

/// Credentials and region found the way the AWS CLI finds them.
///
/// Order: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) in the
/// environment; then the profile `AWS_PROFILE` (or the remote's `profile`, or `default`)
/// in the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
/// `~/.aws/credentials`), then in the config file (`AWS_CONFIG_FILE`, default
/// `~/.aws/config`, sections `[profile NAME]`). Credentials are never read from the repository.
public struct AWSCredentials: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    static func env(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    static var home: String { env("HOME") ?? "/root" }
    static var credentialsFile: String { env("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials" }
    static var configFile: String { env("AWS_CONFIG_FILE") ?? home + "/.aws/config" }

    /// The profile's keys from the credentials file, then the config file.
    static func profileValues(_ profile: String) -> [String: String] {
        var out: [String: String] = [:]
        let configSection = profile == "default" ? "default" : "profile " + profile
        for (file, section) in [(configFile, configSection), (credentialsFile, profile)] {
            guard let bytes = try? FileIO.readFileIfExists(file) else { continue }
            let ini = INIFile(text: String(decoding: bytes, as: UTF8.self))
            for (k, v) in ini.values(in: section) { out[k] = v }
        }
        return out
    }

    /// Finds credentials; throws an error saying where they were looked for.
    public static func find(profile configured: String?) throws -> AWSCredentials {
        if let key = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            return AWSCredentials(accessKey: key, secretKey: secret, sessionToken: env("AWS_SESSION_TOKEN"))
        }
        let profile = env("AWS_PROFILE") ?? configured ?? "default"
        let values = profileValues(profile)
        if let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
            return AWSCredentials(accessKey: key, secretKey: secret, sessionToken: values["aws_session_token"])
        }
        throw SDSError(.notFound, "no AWS credentials found for profile '\(profile)'",
                       hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or add aws_access_key_id "
                           + "and aws_secret_access_key to [\(profile)] in \(credentialsFile) (AWS_SHARED_CREDENTIALS_FILE) or "
                           + "[\(profile == "default" ? "default" : "profile " + profile)] in \(configFile) (AWS_CONFIG_FILE); "
                           + "pick the profile with AWS_PROFILE or 'sds remote modify NAME profile P'")
    }

    /// The region: the remote's, then `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, then us-east-1.
    public static func region(configured: String?, profile: String?) -> String {
        configured ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")
            ?? profileValues(env("AWS_PROFILE") ?? profile ?? "default")["region"] ?? "us-east-1"
    }
}
