// libFuzzer target: the bytes as a model file, read and then checked, as
// `ranvier run` does before it builds anything. A model_error is the answer
// bad input must get; anything else that escapes (another exception, a
// crash, a sanitizer report, a hang, memory without bound) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "host/errors.hpp"
#include "host/model/check.hpp"
#include "host/model/model_file.hpp"

#ifndef RANVIER_FUZZ_FILES
#error "RANVIER_FUZZ_FILES: the directory of the files a fuzzed model may name (tests/fuzz/files)"
#endif

namespace {

// A model names other files (morphology.swc, a population's spike file)
// relative to its own directory; the fuzzed model "lives" in tests/fuzz/files,
// whose small SWC and spike files the seeds name. A name that could leave it
// (absolute, or with "..") could reach /dev/zero or /dev/stdin, whose reading
// never ends: such inputs are not run.
bool stays_in_files_dir(const toml::node& n) {
  if (const auto* s = n.as_string()) {
    const std::string& v = s->get();
    return v.empty() || (v.front() != '/' && v.find("..") == std::string::npos);
  }
  if (const auto* t = n.as_table()) {
    for (auto&& [key, value] : *t)
      if (!stays_in_files_dir(value)) return false;
    return true;
  }
  if (const auto* a = n.as_array()) {
    for (const auto& value : *a)
      if (!stays_in_files_dir(value)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    if (!stays_in_files_dir(toml::parse(text))) return -1;  // -1: not added to the corpus
  } catch (const toml::parse_error&) {
    // parse_model reports it, as a model_error.
  }
  try {
    const ranvier::network net = ranvier::parse_model(text, RANVIER_FUZZ_FILES "/model.toml");
    ranvier::check(net);
  } catch (const ranvier::model_error&) {
  }
  return 0;
}
