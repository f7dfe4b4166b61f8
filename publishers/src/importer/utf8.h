// UTF-8 checks shared by the readers (private to the importer).
#pragma once

#include <string>

namespace pipelined::importer {

// Well-formed UTF-8: no overlong forms, surrogates or code points past
// U+10FFFF. Protobuf refuses strings that are not, so such a row must be
// caught before it is sent.
bool IsWellFormedUtf8(const std::string& text);

}  // namespace pipelined::importer
