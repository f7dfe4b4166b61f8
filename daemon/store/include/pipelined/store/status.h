// Result of a store operation, in the style of LevelDB's Status: errors are
// values, and corruption is an outcome of its own, never a crash.
#pragma once

#include <string>
#include <utility>

namespace pipelined::store {

class Status {
 public:
  enum class Code { kOk, kIoError, kCorruption, kBusy, kInvalidArgument };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status IoError(std::string message) { return Status(Code::kIoError, std::move(message)); }
  static Status Corruption(std::string message) { return Status(Code::kCorruption, std::move(message)); }
  static Status Busy(std::string message) { return Status(Code::kBusy, std::move(message)); }
  static Status InvalidArgument(std::string message) { return Status(Code::kInvalidArgument, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace pipelined::store
