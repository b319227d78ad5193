// swift-tools-version: 6.0
import PackageDescription

// Dependencies are the ones mirrored on the team's machines (see README, "Dependencies").
let package = Package(
    name: "Recouvre",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "recouvre", targets: ["recouvre"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        // Already built for Hummingbird and PostgresNIO; named here because the SMTP client uses them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        // Tests only: reads the API's OpenAPI document to check it against the routes.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The domain: pure value types and functions, no I/O, no framework imports.
        .target(name: "RecouvreCore"),
        // Persistence: migrations, repositories, claim-list intake (SQLite + PostgreSQL).
        .target(
            name: "RecouvreStore",
            dependencies: [
                "RecouvreCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // C libraries from Debian, found by pkg-config (scripts/setup installs their -dev packages).
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo",
                       providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // What leaves the agency on paper or as a file: letters as PDF, print batches.
        .target(name: "RecouvreDocuments", dependencies: ["RecouvreCore", "CPangoCairo", "CQRencode"]),
        // The Hummingbird application: HTML pages and JSON API.
        .target(
            name: "RecouvreServer",
            dependencies: [
                "RecouvreCore", "RecouvreStore", "RecouvreDocuments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "recouvre",
            dependencies: [
                "RecouvreCore", "RecouvreStore", "RecouvreServer", "RecouvreDocuments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the benchmarks share: printing, timing, peak memory.
        .target(name: "BenchSupport", path: "Benchmarks/BenchSupport"),
        .executableTarget(
            name: "RecouvreBench",
            dependencies: ["BenchSupport", "RecouvreCore", "RecouvreStore"],
            path: "Benchmarks/RecouvreBench"
        ),
        .executableTarget(
            name: "RecouvreRunBench",
            dependencies: ["BenchSupport", "RecouvreCore", "RecouvreStore"],
            path: "Benchmarks/RecouvreRunBench"
        ),
        .executableTarget(
            name: "RecouvrePageBench",
            dependencies: ["BenchSupport", "RecouvreCore", "RecouvreStore", "RecouvreServer", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/RecouvrePageBench"
        ),
        .executableTarget(
            name: "RecouvreBalanceBench",
            dependencies: ["BenchSupport", "RecouvreCore", "RecouvreStore"],
            path: "Benchmarks/RecouvreBalanceBench"
        ),
        .executableTarget(
            name: "RecouvreStatementBench",
            dependencies: ["BenchSupport", "RecouvreCore", "RecouvreStore"],
            path: "Benchmarks/RecouvreStatementBench"
        ),
        .executableTarget(
            name: "RecouvreLetterBench",
            dependencies: ["BenchSupport", "RecouvreCore", "RecouvreDocuments"],
            path: "Benchmarks/RecouvreLetterBench"
        ),
        .testTarget(name: "RecouvreCoreTests", dependencies: ["RecouvreCore"]),
        .testTarget(name: "RecouvreStoreTests", dependencies: ["RecouvreStore"]),
        .testTarget(name: "RecouvreDocumentsTests", dependencies: ["RecouvreDocuments"]),
        .testTarget(
            name: "RecouvreServerTests",
            dependencies: [
                "RecouvreServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
