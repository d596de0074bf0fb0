// The test runner: doctest's, plus one flag. `--require-device` makes the run
// exit with code 77 (CTest's SKIP_RETURN_CODE) and a printed reason when no
// CUDA device can be used, so GPU tests are reported as skipped, never as
// passed. Without the flag, a GPU test on a machine without a device fails.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "host/engines/engine.hpp"

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool require_device = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--require-device") == 0)
      require_device = true;
    else
      args.push_back(argv[i]);
  }
  if (require_device) {
    std::string reason;
    if (!ranvier::cuda_available(&reason)) {
      std::printf("SKIPPED: these tests need a CUDA device: %s\n", reason.c_str());
      return 77;
    }
    std::printf("running on: %s\n", reason.c_str());
  }
  doctest::Context ctx;
  ctx.applyCommandLine(static_cast<int>(args.size()), args.data());
  return ctx.run();
}
