// Replays inputs through a fuzz target without libFuzzer, so that the normal
// g++ build tests the seed corpus and every crash once found (the
// regressions) on each run: `replay DIR|FILE...` calls LLVMFuzzerTestOneInput
// on every regular file, in name order. A missing directory counts as empty
// (a target without regressions has none); no input at all is an error, so
// the test cannot pass by reading nothing. A bug shows as the crash, the
// sanitizer report or the uncaught exception it is, after the file's name.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::size_t total = 0;
  for (int a = 1; a < argc; ++a) {
    const fs::path arg(argv[a]);
    std::vector<fs::path> files;
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
    } else if (fs::is_regular_file(arg)) {
      files.push_back(arg);
    }
    std::fprintf(stderr, "replay: %zu input%s from %s\n", files.size(), files.size() == 1 ? "" : "s", arg.c_str());
    for (const auto& f : files) {
      std::fprintf(stderr, "  %s\n", f.c_str());
      std::ifstream in(f, std::ios::binary);
      const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
        return 1;
      }
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++total;
    }
  }
  if (total == 0) {
    std::fprintf(stderr, "replay: no input found in the paths given\n");
    return 1;
  }
  std::fprintf(stderr, "replay: %zu inputs, no failure\n", total);
  return 0;
}
