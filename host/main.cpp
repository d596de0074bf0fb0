// The `ranvier` command: `ranvier run MODEL` runs a model file and writes its
// recordings; `ranvier resume DIR` continues a run from its checkpoint;
// `ranvier info` says what this build and machine can do.
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "host/engines/engine.hpp"
#include "host/errors.hpp"
#include "host/estimate.hpp"
#include "host/model/check.hpp"
#include "host/model/model_file.hpp"
#include "host/run.hpp"
#include "kernels/kernels.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

// Threads that wait for the others at a step's end spin, then sleep. GNU
// OpenMP spins 300000 times by default: on an idle machine no faster than
// 10000 (COBAHH 4000, 2 threads: 0.175 s both), on a busy one twice as slow
// (0.70 s against 0.39 s beside two busy processes on 2 cores), as the
// spinning thread takes the core the one it waits for needs. libgomp reads
// the setting when it is loaded, before main: the CLI sets it and runs
// itself again, unless the user chose (GOMP_SPINCOUNT or OMP_WAIT_POLICY).
void settle_openmp_wait(char** argv) {
#if defined(__linux__) && defined(_OPENMP) && defined(__GNUC__) && !defined(__clang__)
  if (std::getenv("GOMP_SPINCOUNT") || std::getenv("OMP_WAIT_POLICY")) return;
  if (::setenv("GOMP_SPINCOUNT", "10000", 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only if it failed: go on with the default
#else
  (void)argv;
#endif
}

int info() {
  fmt::print("ranvier {}\n", RANVIER_VERSION);
  fmt::print("build       {} {}, C++20, host -march={}, OpenMP {}\n", RANVIER_COMPILER, RANVIER_BUILD_TYPE,
             RANVIER_HOST_ARCH_STR,
#if defined(_OPENMP)
             fmt::format("on ({} threads; waiting threads spin {})", omp_get_max_threads(),
                         std::getenv("GOMP_SPINCOUNT") ? fmt::format("GOMP_SPINCOUNT = {}", std::getenv("GOMP_SPINCOUNT"))
                         : std::getenv("OMP_WAIT_POLICY") ? fmt::format("as OMP_WAIT_POLICY = {}", std::getenv("OMP_WAIT_POLICY"))
                                                          : std::string("as GNU OpenMP's default"))
#else
             "off"
#endif
  );
#if RANVIER_HAVE_CUDA
  fmt::print("cuda        on, architectures {}\n", RANVIER_CUDA_ARCHS);
  int n = 0;
  const auto st = ranvier::kernels::device_count(&n);
  if (!st.ok()) {
    fmt::print("devices     none usable: {} ({})\n", st.name, st.message);
    return 0;
  }
  if (n == 0) fmt::print("devices     none\n");
  for (int d = 0; d < n; ++d) {
    ranvier::kernels::device_info di;
    const auto s = ranvier::kernels::get_device_info(d, &di);
    if (!s.ok()) {
      fmt::print("device {}    error {} ({})\n", d, s.name, s.message);
      continue;
    }
    fmt::print(
        "device {}    {}, compute capability {}.{}, {} SMs, {:.1f} GiB ({:.1f} GiB free), {:.0f} GB/s peak, driver {}, "
        "runtime {}\n",
        d, di.name, di.major, di.minor, di.multiprocessors, di.global_memory / 1073741824.0,
        di.free_memory / 1073741824.0, di.peak_bandwidth / 1e9, di.driver_version, di.runtime_version);
  }
#else
  fmt::print("cuda        off (configured with RANVIER_CUDA=OFF or without nvcc)\n");
#endif
  return 0;
}

// --seed: an integer in [0, 2^64 − 1], nothing else.
std::uint64_t parse_seed(const std::string& s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw ranvier::model_error("--seed " + s + ": valid: an integer from 0 to 18446744073709551615");
  return v;
}

ranvier::engine_choice parse_engine(const std::string& s) {
  if (s == "auto") return ranvier::engine_choice::automatic;
  if (s == "cpu") return ranvier::engine_choice::cpu;
  if (s == "cuda") return ranvier::engine_choice::cuda;
  throw ranvier::model_error("--engine " + s + ": valid: auto, cpu, cuda");
}

}  // namespace

int main(int argc, char** argv) {
  settle_openmp_wait(argv);
  CLI::App app{"Ranvier: simulator of spiking neural networks (CPU reference engine and CUDA engine)"};
  app.require_subcommand(1);
  auto* run = app.add_subcommand("run", "run a model file");
  std::string model, engine, out = "out";
  double duration = 0.0;
  std::string seed;
  int threads = 0;
  bool quiet = false;
  run->add_option("MODEL", model, "model file (TOML)")->required();
  run->add_option("--engine", engine, "auto | cpu | cuda (overrides [simulation] engine)");
  run->add_option("--out", out, "output directory (default: out)");
  auto* duration_opt = run->add_option("--duration", duration, "simulated time [ms] (overrides [simulation] duration)");
  run->add_option("--seed", seed, "random seed (overrides [simulation] seed)");
  auto* threads_opt = run->add_option("--threads", threads, "CPU threads (default: all)");
  run->add_flag("--quiet", quiet, "no progress line and no summary");
  double every = 0.0;
  std::string checkpoint_dir;
  auto* every_opt = run->add_option("--checkpoint-every", every,
                                    "write a checkpoint every this many ms of simulated time, and at the end [ms]");
  run->add_option("--checkpoint-dir", checkpoint_dir, "where checkpoints go (default: OUT/checkpoint)");
  auto* resume = app.add_subcommand("resume", "continue a run from its last checkpoint");
  std::string resume_dir, resume_out, resume_engine, resume_checkpoint_dir;
  double resume_duration = 0.0, resume_every = 0.0;
  int resume_threads = 0;
  resume->add_option("DIR", resume_dir, "the run's checkpoint directory (or its checkpoint.rvc)")->required();
  auto* resume_duration_opt =
      resume->add_option("--duration", resume_duration, "end of the run [ms, from 0] (default: the run's own end)");
  resume->add_option("--engine", resume_engine, "auto | cpu | cuda (default: the run's)");
  resume->add_option("--out", resume_out, "output directory (default: the run's; its outputs are continued)");
  auto* resume_threads_opt = resume->add_option("--threads", resume_threads, "CPU threads (default: all)");
  auto* resume_every_opt =
      resume->add_option("--checkpoint-every", resume_every, "checkpoint interval [ms] (default: the run's)");
  resume->add_option("--checkpoint-dir", resume_checkpoint_dir, "where checkpoints go (default: DIR)");
  resume->add_flag("--quiet", quiet, "no progress line and no summary");
  auto* info_cmd = app.add_subcommand("info", "version, build options and CUDA devices; with MODEL, what it will need");
  std::string info_model;
  info_cmd->add_option("MODEL", info_model, "a model file: its memory (host, GPU) and output size, estimated");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {  // a flag CLI11 refuses (unknown, not a number): exit 2, as every bad flag
    app.exit(e);
    return 2;
  }

  try {
    if (app.got_subcommand("info")) {
      const int rc = info();
      if (!info_model.empty()) {
        ranvier::network net = ranvier::load_model_file(info_model);
        ranvier::check(net);
        fmt::print("model       {}\n{}", info_model, ranvier::format_estimate(ranvier::estimate_resources(net)));
      }
      return rc;
    }
    ranvier::run_options opt;
    const bool resuming = app.got_subcommand("resume");
    if (resuming) {
      if (!resume_engine.empty()) opt.engine = parse_engine(resume_engine);
      if (resume_duration_opt->count()) opt.duration = resume_duration;
      if (resume_threads_opt->count() && resume_threads < 1)
        throw ranvier::model_error(
            fmt::format("--threads {}: valid: an integer >= 1 (without --threads: all)", resume_threads));
      opt.threads = resume_threads;
      if (!resume_out.empty()) opt.out = resume_out;
      if (resume_every_opt->count()) opt.checkpoint_every = resume_every;
      if (!resume_checkpoint_dir.empty()) opt.checkpoint_dir = resume_checkpoint_dir;
    } else {
      if (!engine.empty()) opt.engine = parse_engine(engine);
      // Flags are values of the model: a given one replaces the file's and is
      // checked with it (a bad --duration is reported as the duration).
      if (duration_opt->count()) opt.duration = duration;
      if (!seed.empty()) opt.seed = parse_seed(seed);
      if (threads_opt->count() && threads < 1)
        throw ranvier::model_error(fmt::format("--threads {}: valid: an integer >= 1 (without --threads: all)", threads));
      opt.out = out;
      opt.threads = threads;
      if (every_opt->count()) opt.checkpoint_every = every;
      if (!checkpoint_dir.empty()) opt.checkpoint_dir = checkpoint_dir;
    }
    opt.progress = !quiet;
    ranvier::install_interrupt_handlers();
    const auto summary = resuming ? ranvier::resume_run(resume_dir, opt)
                                  : ranvier::run_network(ranvier::load_model_file(model), opt);
    if (!quiet) ranvier::print_summary(std::cout, summary);
    switch (summary.status) {
      case ranvier::run_status::complete: return 0;
      case ranvier::run_status::numerical_failure:
        std::fprintf(stderr, "error: %s; the outputs up to there are written and summary.json says so\n",
                     summary.stopped_why.c_str());
        return 4;
      case ranvier::run_status::interrupted:
        std::fprintf(stderr, "ranvier: %s; the outputs up to there are written and summary.json says so%s\n",
                     summary.stopped_why.c_str(),
                     summary.checkpoint_step >= 0
                         ? fmt::format("; `ranvier resume {}` continues it", summary.checkpoint_dir.string()).c_str()
                         : "");
        return 128 + summary.signal;
    }
    return 70;
  } catch (const ranvier::model_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const ranvier::io_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 5;
  } catch (const ranvier::resource_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 6;
  } catch (const ranvier::cuda_error& e) {
    std::fprintf(stderr, "CUDA error: %s\n", e.what());
    return 3;
  } catch (const ranvier::internal_error& e) {
    std::fprintf(stderr, "internal error (a bug in Ranvier, please report it): %s\n", e.what());
    return 70;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
