// The documentation a user reads lists what the code does.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipelined/ingest/batch_codec.h"
#include "pipelined/model/validation.h"

namespace pipelined {
namespace {

std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(PIPELINED_SOURCE_DIR) + "/docs/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DocsTest, ProtocolDocListsEveryRejectionReason) {
  const std::string doc = ReadDoc("protocol.md");
  ASSERT_FALSE(doc.empty()) << "docs/protocol.md is missing";
  std::vector<std::string> reasons = model::AllRejectionReasons();
  reasons.push_back(ingest::kMalformedBatch);
  reasons.push_back(ingest::kBatchTooLarge);
  for (const auto& reason : reasons) {
    EXPECT_NE(doc.find("`" + reason + "`"), std::string::npos) << reason << " is not documented in docs/protocol.md";
  }
}

}  // namespace
}  // namespace pipelined
