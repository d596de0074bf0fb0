// The test runner: doctest's, plus one flag. `--require-device` makes the run
// exit with code 77 (CTest's SKIP_RETURN_CODE) and a printed reason when no
// CUDA device can be used, so GPU tests are reported as skipped, never as
// passed. Without the flag, a GPU test on a machine without a device fails.
// With it, a run in which no test case passed the filters fails too: a
// renamed suite must not turn the GPU check into an empty success.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "host/engines/engine.hpp"

namespace {

// Counts the test cases the filters let through.
struct run_counter : doctest::IReporter {
  static inline unsigned selected = 0;
  explicit run_counter(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& s) override { selected = s.numTestCasesPassingFilters; }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

DOCTEST_REGISTER_LISTENER("run_counter", 1, run_counter);

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
  const int rc = ctx.run();
  if (require_device && rc == 0 && run_counter::selected == 0) {
    std::printf("FAILED: --require-device, but no test case matched the filters\n");
    return 1;
  }
  return rc;
}
