#include "bench_util.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace pipelined::bench {

namespace fs = std::filesystem;

double SecondsBetween(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(q * static_cast<double>(values.size()));
  const std::size_t index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
  return values[std::min(index, values.size() - 1)];
}

double Median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string Thousands(double value) {
  if (!std::isfinite(value)) return "n/a";
  std::string digits = std::to_string(static_cast<long long>(std::llround(value)));
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

std::string Significant(double value) {
  if (!std::isfinite(value)) return "n/a";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1000) return Thousands(value);
  if (magnitude >= 100) return Fixed(value, 0);
  if (magnitude >= 10) return Fixed(value, 1);
  if (magnitude >= 1) return Fixed(value, 2);
  if (magnitude >= 0.1) return Fixed(value, 3);
  return Fixed(value, 4);
}

std::string Ratio(double value, double limit) {
  if (!std::isfinite(value) || !std::isfinite(limit) || limit == 0) return "n/a";
  return Fixed(value / limit, 2);
}

std::string ShellQuote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                            "_./=:,+-@%") == std::string::npos) {
    return arg;
  }
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string RunCommand(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    pclose(pipe);
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

Machine DescribeMachine(const std::string& workdir) {
  Machine machine;
  machine.cpus = sysconf(_SC_NPROCESSORS_ONLN);
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      machine.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    long kib = 0;
    if (std::sscanf(line.c_str(), "MemTotal: %ld kB", &kib) == 1) {
      machine.memory = std::to_string((kib + 512 * 1024) / (1024 * 1024)) + " GiB";
      break;
    }
  }
  utsname names{};
  if (uname(&names) == 0) machine.kernel = std::string(names.sysname) + " " + names.release;
  // `df -T -P DIR`: Filesystem Type 1024-blocks Used Available Capacity Mounted-on
  std::istringstream df(RunCommand("df -T -P " + ShellQuote(workdir) + " 2>/dev/null | tail -n 1"));
  std::string device, type, blocks, used, available, capacity, mount;
  if (df >> device >> type >> blocks >> used >> available >> capacity >> mount) {
    machine.filesystem = type + " (" + device + ", mounted on " + mount + ")";
  } else {
    machine.filesystem = "unknown (df -T failed)";
  }
  return machine;
}

std::string NowForReport() {
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", std::localtime(&now));
  return date;
}

namespace {

// utime + stime (clock ticks) and the name from a /proc/.../stat file.
bool ReadStat(const fs::path& path, ThreadTicks* out) {
  std::ifstream in(path);
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const std::size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  // After the name: state (field 3) ... utime (14), stime (15).
  if (values.size() < 13) return false;
  out->name = stat.substr(open + 1, close - open - 1);
  out->ticks = std::stoll(values[11]) + std::stoll(values[12]);
  return true;
}

}  // namespace

std::map<int, ThreadTicks> ReadThreadTicks(pid_t pid) {
  std::map<int, ThreadTicks> threads;
  std::error_code ignored;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : fs::directory_iterator(tasks, ignored)) {
    ThreadTicks thread;
    if (ReadStat(entry.path() / "stat", &thread)) threads[std::stoi(entry.path().filename().string())] = thread;
  }
  return threads;
}

double ProcessCpuSeconds(pid_t pid) {
  ThreadTicks process;
  if (!ReadStat("/proc/" + std::to_string(pid) + "/stat", &process)) return NAN;
  return static_cast<double>(process.ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::int64_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    long long kib = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %lld kB", &kib) == 1) return static_cast<std::int64_t>(kib) * 1024;
  }
  return -1;
}

std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> series;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    series[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return series;
}

std::size_t CountSeries(const std::string& text) {
  std::size_t count = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start && text[start] != '#') ++count;
    start = end + 1;
  }
  return count;
}

std::string Tail(const std::string& path, std::size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out += "    " + lines[i] + "\n";
  }
  return out;
}

}  // namespace pipelined::bench
