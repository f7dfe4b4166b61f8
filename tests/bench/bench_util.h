// Helpers shared by the sections of pipelined-bench: statistics, number
// formatting for the markdown report, a description of the machine, CPU and
// memory of processes from /proc, and the Prometheus text format.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pipelined::bench {

using SteadyClock = std::chrono::steady_clock;

double SecondsBetween(SteadyClock::time_point from, SteadyClock::time_point to);

// Nearest-rank percentile (q in 0..1); NAN for no values.
double Percentile(std::vector<double> values, double q);
double Median(std::vector<double> values);

// 123456.7 -> "123,457"; "n/a" for NAN.
std::string Thousands(double value);
std::string Fixed(double value, int decimals);
// A figure with about three significant digits: 0.0123, 1.23, 12.3, 1,234.
std::string Significant(double value);
// value / limit to two decimals; "n/a" when either is missing.
std::string Ratio(double value, double limit);

std::string ShellQuote(const std::string& arg);
// Runs `command` with sh and returns its stdout without trailing newlines.
std::string RunCommand(const std::string& command);

struct Machine {
  long cpus = 0;
  std::string cpu_model;
  std::string memory;
  std::string kernel;
  std::string filesystem;  // of the work directory
};
Machine DescribeMachine(const std::string& workdir);

// The date and time now, "2026-11-23 21:54 UTC".
std::string NowForReport();

struct ThreadTicks {
  std::string name;
  long long ticks = 0;  // utime + stime, in clock ticks
};
// Every thread of `pid`, by thread id.
std::map<int, ThreadTicks> ReadThreadTicks(pid_t pid);
// utime + stime of the whole process `pid`, in seconds; NAN when unreadable.
double ProcessCpuSeconds(pid_t pid);
// CPU time of this process so far, in seconds.
double SelfCpuSeconds();
// VmRSS of `pid` from /proc/PID/status, in bytes; -1 when unreadable.
std::int64_t ResidentBytes(pid_t pid);

// Prometheus text format: `name{labels}` as written -> value.
std::map<std::string, double> ParseMetrics(const std::string& text);
// Sample lines (not comments, not blank) of a text-format body.
std::size_t CountSeries(const std::string& text);

// The last `max_lines` lines of a file, indented for a report.
std::string Tail(const std::string& path, std::size_t max_lines);

}  // namespace pipelined::bench
