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

/// CPU seconds (user and system) used so far by the processes named `name` on this machine
/// (`postgres`: the server's backends), read from /proc; 0 where there is no /proc. A backend
/// that exits between two readings takes its seconds with it: measure while the pool is open.
public func processesCPUSeconds(named name: String) -> Double {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var total = 0.0
    for pid in entries where pid.first?.isNumber == true {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
              stat[stat.index(after: open)..<close] == name else { continue }
        // After the name: state, ppid, … utime and stime are the 12th and 13th fields.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        total += (user + system) / ticks
    }
    return total
}
