import Foundation

// What every benchmark prints and measures the same way.

/// Writes a line to standard output at once (not buffered until exit).
public func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// Seconds since `start`.
public func elapsed(_ start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Peak resident memory of this process so far (VmHWM), in MB.
public func peakMemoryMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
    return Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? -1) / 1024
}

/// CPU time this process has used so far (user and system), in seconds: what a request costs
/// the server, steadier than latency on a shared machine.
public func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
