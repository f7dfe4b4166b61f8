#include "pipelined/exporters/metric_sink.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace pipelined::exporters {
namespace {

const char* TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Untyped: return "untyped";
    case prometheus::MetricType::Histogram: return "histogram";
  }
  return "untyped";
}

// Copies a label value with \\, \" and \n escaped; `out` has room for
// twice its size.
char* WriteEscaped(std::string_view value, char* out) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      *out++ = '\\';
      *out++ = c;
    } else if (c == '\n') {
      *out++ = '\\';
      *out++ = 'n';
    } else {
      *out++ = c;
    }
  }
  return out;
}

char* Write(std::string_view text, char* out) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// Writes a sample value into `out`, which has room for 32 characters;
// returns the end.
char* WriteSampleValue(double value, char* out) {
  auto put = [out](const char* text) {
    const std::size_t length = std::strlen(text);
    std::memcpy(out, text, length);
    return out + length;
  };
  if (std::isnan(value)) return put("Nan");
  if (std::isinf(value)) return put(value < 0 ? "-Inf" : "+Inf");
  // Most values are whole numbers (counts, flags, yuan without fen, Unix
  // times): writing their digits is much cheaper than printf and gives the
  // same text as %.16g for any integer of at most 15 digits. -0 is left to
  // printf, which writes "-0".
  constexpr double kExact = 1e15;
  if (value > -kExact && value < kExact && value == std::trunc(value) && !(value == 0 && std::signbit(value))) {
    const long long whole = static_cast<long long>(value);
    char digits[24];
    char* end = digits + sizeof digits;
    char* p = end;
    unsigned long long magnitude =
        whole < 0 ? 0ULL - static_cast<unsigned long long>(whole) : static_cast<unsigned long long>(whole);
    do {
      *--p = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (whole < 0) *--p = '-';
    std::memcpy(out, p, static_cast<std::size_t>(end - p));
    return out + (end - p);
  }
  // Specified to give exactly what printf's %.16g gives, only faster.
  return std::to_chars(out, out + 32, value, std::chars_format::general, 16).ptr;
}

}  // namespace

void TextMetricSink::Family(std::string_view name, std::string_view help, prometheus::MetricType type) {
  name_.assign(name);
  if (!help.empty()) {
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
  }
  out_.append("# TYPE ").append(name).append(" ").append(TypeName(type)).append("\n");
  MaybeFlush();
}

void TextMetricSink::Flush() {
  if (flush_ && !out_.empty()) flush_(&out_);
}

void TextMetricSink::Sample(const Label* labels, std::size_t count, double value) {
  // The line is put together in a buffer and appended at once: appending
  // piece by piece costs more than writing it (most lines are under 200
  // bytes; longer ones get a buffer of their size).
  std::size_t bound = name_.size() + 3 + 32 + 1;  // {} and a space, the value, \n
  for (std::size_t i = 0; i < count; ++i) bound += labels[i].name.size() + 2 * labels[i].value.size() + 4;
  char small[512];
  std::string large;
  char* const start = bound <= sizeof small ? small : (large.resize(bound), large.data());
  char* p = Write(name_, start);
  if (count > 0) {
    *p++ = '{';
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) *p++ = ',';
      p = Write(labels[i].name, p);
      *p++ = '=';
      *p++ = '"';
      p = WriteEscaped(labels[i].value, p);
      *p++ = '"';
    }
    *p++ = '}';
  }
  *p++ = ' ';
  p = WriteSampleValue(value, p);
  *p++ = '\n';
  out_.append(start, static_cast<std::size_t>(p - start));
  MaybeFlush();
}

void TextMetricSink::Append(const std::vector<prometheus::MetricFamily>& families) {
  std::vector<Label> labels;
  for (const prometheus::MetricFamily& family : families) {
    Family(family.name, family.help, family.type);
    for (const prometheus::ClientMetric& metric : family.metric) {
      labels.clear();
      for (const auto& label : metric.label) labels.push_back({label.name, label.value});
      const double value = family.type == prometheus::MetricType::Counter ? metric.counter.value
                           : family.type == prometheus::MetricType::Untyped ? metric.untyped.value
                                                                            : metric.gauge.value;
      Sample(labels.data(), labels.size(), value);
    }
  }
}

void FamilyMetricSink::Family(std::string_view name, std::string_view help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name.assign(name);
  family.help.assign(help);
  family.type = type;
  families_.push_back(std::move(family));
}

void FamilyMetricSink::Sample(const Label* labels, std::size_t count, double value) {
  prometheus::MetricFamily& family = families_.back();
  prometheus::ClientMetric metric;
  metric.label.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    metric.label.push_back({std::string(labels[i].name), std::string(labels[i].value)});
  }
  if (family.type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else if (family.type == prometheus::MetricType::Untyped) {
    metric.untyped.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
}

}  // namespace pipelined::exporters
