// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sds",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sds", targets: ["sds"]),
        .library(name: "SDSStore", targets: ["SDSStore"]),
        .library(name: "SDSTFRecord", targets: ["SDSTFRecord"]),
        .library(name: "SDSArrayRecord", targets: ["SDSArrayRecord"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: System libraries (Debian -dev packages)
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libhighwayhash-dev ships no pkg-config file; the modulemap links it (and libstdc++).
        .systemLibrary(name: "CHighwayHash", providers: [.apt(["libhighwayhash-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),

        // MARK: Support
        .target(name: "SDSCore"),
        .target(name: "SDSCatalog", dependencies: ["CSQLite", "SDSCore"]),
        .target(name: "SDSGit", dependencies: ["CGit2", "SDSCore"]),

        // MARK: Formats (pure, store-free)
        .target(name: "CCRC32C"),
        .target(name: "SDSTFRecord", dependencies: ["CZlib", "CCRC32C"]),
        // A copy fused with HighwayHash, from libhighwayhash-dev's header-only AVX2 state.
        .target(name: "CHighwayHashCopy", dependencies: ["CHighwayHash"]),
        .target(name: "SDSArrayRecord", dependencies: ["CHighwayHash", "CHighwayHashCopy", "CZstd", "CBrotli", "SDSTFRecord"]),

        // MARK: Sensor operators (pure, store-free)
        .target(name: "SDSSensors", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // MARK: Store
        .target(name: "SDSStore", dependencies: [
            "SDSCore", "SDSCatalog", "SDSGit",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // MARK: Pipeline (spec, planner, step cache, builds)
        .target(name: "SDSPipeline", dependencies: [
            "SDSCore", "SDSStore", "SDSCatalog", "SDSSensors", "SDSTFRecord", "SDSArrayRecord", "CZlib", "CZstd",
            .product(name: "Yams", package: "Yams"),
        ]),

        // MARK: Report (a build or a diff as one self-contained HTML page, SVG written by hand)
        .target(name: "SDSReport", dependencies: ["SDSCore", "SDSCatalog", "SDSStore", "SDSPipeline"]),

        // MARK: Remotes (S3 and folders: push, fetch, shared step cache)
        .target(name: "SDSRemote", dependencies: [
            "SDSCore", "SDSStore", "SDSPipeline", "SDSSensors",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // MARK: Commands
        .target(name: "SDSCommands", dependencies: [
            "SDSCore", "SDSStore", "SDSGit", "SDSTFRecord", "SDSArrayRecord", "SDSPipeline", "SDSSensors", "SDSReport", "SDSRemote",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sds", dependencies: ["SDSCommands"]),

        // MARK: Fuzzing (tests/fuzz/: libFuzzer with -sanitize=fuzzer -DSDS_FUZZ; plain builds replay files)
        .target(name: "SDSFuzzTargets", dependencies: ["SDSCore", "SDSStore", "SDSPipeline", "SDSSensors", "SDSTFRecord"]),
        .executableTarget(name: "sds-fuzz", dependencies: ["SDSFuzzTargets"]),

        // MARK: Tests
        .testTarget(name: "SDSCoreTests", dependencies: ["SDSCore"]),
        .testTarget(name: "SDSStoreTests", dependencies: ["SDSStore", "SDSCatalog", "SDSGit"]),
        .testTarget(name: "SDSTFRecordTests", dependencies: ["SDSTFRecord"]),
        .testTarget(name: "SDSArrayRecordTests", dependencies: ["SDSArrayRecord", "SDSTFRecord"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SDSPipelineTests", dependencies: ["SDSPipeline"]),
        .testTarget(name: "SDSReportTests", dependencies: ["SDSReport", "SDSPipeline"]),
        .testTarget(name: "SDSRemoteTests", dependencies: ["SDSRemote", "SDSStore", "SDSCore"]),
        .testTarget(name: "SDSSensorsTests", dependencies: ["SDSSensors", "SDSTFRecord"]),
        .testTarget(name: "SDSEndToEndTests", dependencies: ["SDSCore", "SDSCatalog", "sds"]),
        .testTarget(name: "SDSFuzzTests", dependencies: ["SDSFuzzTargets"]),
    ]
)
