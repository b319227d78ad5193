import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import RecouvreStore

/// Where and how to send mail: from `RECOUVRE_SMTP_HOST`, `RECOUVRE_SMTP_PORT` (587),
/// `RECOUVRE_SMTP_SECURITY` (`starttls`, the default, or `none` for a relay on the same machine),
/// `RECOUVRE_SMTP_USER` and `RECOUVRE_SMTP_PASSWORD` (sent only over TLS), `RECOUVRE_SMTP_FROM`, and
/// `RECOUVRE_SMTP_CA_FILE` to trust a private certificate authority.
public struct SMTPConfiguration: Sendable {
    public enum Security: String, Sendable { case startTLS = "starttls", none }
    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var from: String
    public var caFile: String?

    public init(host: String, port: Int = 587, security: Security = .startTLS, username: String? = nil, password: String? = nil,
                from: String, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.caFile = caFile
    }

    /// nil when no SMTP host is configured (mail then goes to the outbox folder).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> SMTPConfiguration? {
        guard let host = env["RECOUVRE_SMTP_HOST"], !host.isEmpty else { return nil }
        guard let security = Security(rawValue: env["RECOUVRE_SMTP_SECURITY"] ?? "starttls") else {
            throw MailError.configuration("RECOUVRE_SMTP_SECURITY must be starttls or none")
        }
        guard let port = Int(env["RECOUVRE_SMTP_PORT"] ?? "587") else { throw MailError.configuration("RECOUVRE_SMTP_PORT must be a number") }
        return SMTPConfiguration(host: host, port: port, security: security, username: env["RECOUVRE_SMTP_USER"], password: env["RECOUVRE_SMTP_PASSWORD"],
                                 from: env["RECOUVRE_SMTP_FROM"] ?? "recouvre@\(host)", caFile: env["RECOUVRE_SMTP_CA_FILE"])
    }
}

/// The mailer the configuration asks for: SMTP when a host is set, else `.eml` files in the outbox folder.
public func configuredMailer(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> any Mailer {
    if let smtp = try SMTPConfiguration.fromEnvironment(env) { return SMTPMailer(smtp) }
    return OutboxFolderMailer.fromEnvironment(env)
}

/// Sends each message over SMTP (RFC 5321): EHLO, STARTTLS and EHLO again, AUTH PLAIN when
/// credentials are set, MAIL FROM, RCPT TO, DATA. A 5xx answer to a recipient is a hard bounce
/// (`MailError.rejected`); other failures are `MailError.transient` and may be retried.
public struct SMTPMailer: Mailer {
    let configuration: SMTPConfiguration
    public init(_ configuration: SMTPConfiguration) { self.configuration = configuration }

    public func send(_ message: MailMessage) async throws {
        do { try await deliver(message) } catch let e as MailError { throw e } catch {
            // A refused connection, a failed TLS handshake (an untrusted certificate), a closed channel.
            throw MailError.transient("\(configuration.host):\(configuration.port): \(error)")
        }
    }

    func deliver(_ message: MailMessage) async throws {
        let c = configuration
        let replies = ReplyStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(replies))
                }
            }
            .connect(host: c.host, port: c.port).get()
        defer { channel.close(promise: nil) }
        func command(_ line: String, expect: ClosedRange<Int>, recipient: String? = nil) async throws -> SMTPReply {
            try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n")).get()
            return try await replies.next(expect: expect, after: line.hasPrefix("AUTH") ? "AUTH" : line, recipient: recipient)
        }
        _ = try await replies.next(expect: 220...220, after: "connection", recipient: nil)
        var ehlo = try await command("EHLO recouvre.localhost", expect: 250...250)
        if c.security == .startTLS {
            guard ehlo.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else { throw MailError.transient("\(c.host) does not offer STARTTLS") }
            _ = try await command("STARTTLS", expect: 220...220)
            var tls = TLSConfiguration.makeClientConfiguration()
            if let ca = c.caFile { tls.trustRoots = .file(ca) }
            let context = try NIOSSLContext(configuration: tls)
            let handler = try NIOSSLClientHandler(context: context, serverHostname: c.host.first?.isNumber == true ? nil : c.host)
            try await channel.pipeline.addHandler(handler, position: .first).get()
            ehlo = try await command("EHLO recouvre.localhost", expect: 250...250)
        }
        if let user = c.username, let password = c.password {
            guard c.security == .startTLS else { throw MailError.configuration("credentials are sent over TLS only: set RECOUVRE_SMTP_SECURITY=starttls") }
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            _ = try await command("AUTH PLAIN \(token)", expect: 235...235)
        }
        _ = try await command("MAIL FROM:<\(Self.address(c.from))>", expect: 250...250)
        _ = try await command("RCPT TO:<\(message.to)>", expect: 250...251, recipient: message.to)
        _ = try await command("DATA", expect: 354...354)
        let body = MIMEMessage.render(message, from: c.from, at: SystemClock.now())
        // Dot-stuffing (RFC 5321 4.5.2), then the end of data.
        let stuffed = body.split(separator: "\r\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try await channel.writeAndFlush(ByteBuffer(string: stuffed + (stuffed.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n")).get()
        _ = try await replies.next(expect: 250...250, after: "DATA", recipient: nil)
        try? await channel.writeAndFlush(ByteBuffer(string: "QUIT\r\n")).get()
    }

    /// `a@b.c` out of `Name <a@b.c>`.
    static func address(_ from: String) -> String {
        guard let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close else { return from }
        return String(from[from.index(after: open)..<close])
    }
}

public enum MailError: Error, Equatable, CustomStringConvertible {
    /// The receiving server refused the recipient for good (5xx): a hard bounce.
    case rejected(recipient: String, reply: String)
    /// Worth trying again later (a 4xx answer, a lost connection).
    case transient(String)
    case configuration(String)

    public var description: String {
        switch self {
        case let .rejected(r, reply): "\(r) refused: \(reply)"
        case let .transient(why): "mail not sent, to retry: \(why)"
        case let .configuration(why): "mail configuration: \(why)"
        }
    }
}

struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]
}

/// The server's replies, in order, as the handler reads them.
final class ReplyStream: Sendable {
    let stream: AsyncThrowingStream<SMTPReply, any Error>
    let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private let iterator: IteratorBox

    init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: SMTPReply.self)
        iterator = IteratorBox(stream.makeAsyncIterator())
    }

    /// The next reply; throws unless its code is in `expect` (5xx to a recipient: `rejected`).
    func next(expect: ClosedRange<Int>, after: String, recipient: String?) async throws -> SMTPReply {
        guard let reply = try await iterator.next() else { throw MailError.transient("connection closed after \(after)") }
        guard expect.contains(reply.code) else {
            let text = "\(reply.code) \(reply.lines.joined(separator: " "))"
            if let recipient, reply.code >= 500 { throw MailError.rejected(recipient: recipient, reply: text) }
            throw reply.code >= 500 ? MailError.configuration("\(after): \(text)") : MailError.transient("\(after): \(text)")
        }
        return reply
    }

    /// One reader at a time (the send awaits each reply before the next command).
    final class IteratorBox: @unchecked Sendable {
        var iterator: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator
        init(_ i: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator) { iterator = i }
        func next() async throws -> SMTPReply? { try await iterator.next() }
    }
}

/// Splits the byte stream on CRLF (or LF).
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String
    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let lf = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        let length = lf - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

/// Gathers reply lines (`250-…` continues, `250 …` ends) into replies.
final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = String
    let replies: ReplyStream
    var lines: [String] = []
    init(_ replies: ReplyStream) { self.replies = replies }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        guard line.count >= 3, let code = Int(line.prefix(3)) else { replies.continuation.finish(throwing: MailError.transient("not SMTP: \(line)")); return }
        lines.append(String(line.dropFirst(4)))
        if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
            replies.continuation.yield(SMTPReply(code: code, lines: lines))
            lines = []
        }
    }

    func channelInactive(context: ChannelHandlerContext) { replies.continuation.finish() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        replies.continuation.finish(throwing: MailError.transient("\(error)"))
        context.close(promise: nil)
    }
}
