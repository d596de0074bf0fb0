// Choosing an engine. `auto` takes the CUDA engine when this build has it and
// a device answers, else the CPU engine, and says which and why.
#include "host/engines/engine.hpp"

#include <fmt/format.h>

#include "host/errors.hpp"

namespace ranvier {

#if !RANVIER_HAVE_CUDA
bool cuda_available(std::string* reason) {
  if (reason) *reason = "this build has no CUDA engine (configured with RANVIER_CUDA=OFF or without nvcc)";
  return false;
}

std::unique_ptr<engine> make_cuda_engine(any_image, const cuda_settings&) {
  throw model_error("engine = cuda: this build has no CUDA engine (configured with RANVIER_CUDA=OFF or without nvcc); "
                    "valid here: engine = \"cpu\" or \"auto\"");
}
#endif

std::unique_ptr<engine> make_engine(any_image img, const engine_options& opt, std::string* why) {
  switch (opt.choice) {
    case engine_choice::cpu:
      if (why) *why = "the CPU engine, as asked";
      return make_cpu_engine(std::move(img), opt.threads, 0, opt.delay_runs);
    case engine_choice::cuda: {
      std::string reason;
      if (!cuda_available(&reason))
        throw model_error("engine = cuda, but " + reason + "; valid here: engine = \"cpu\" or \"auto\"");
      if (why) *why = "the CUDA engine, as asked (" + reason + ")";
      return make_cuda_engine(std::move(img), cuda_settings{0, 0, opt.cuda_fused, opt.delay_runs});
    }
    case engine_choice::automatic: {
      std::string reason;
      if (cuda_available(&reason)) {
        if (why) *why = "engine auto picked the CUDA engine: " + reason;
        return make_cuda_engine(std::move(img), cuda_settings{0, 0, opt.cuda_fused, opt.delay_runs});
      }
      if (why) *why = "engine auto picked the CPU engine: " + reason;
      return make_cpu_engine(std::move(img), opt.threads, 0, opt.delay_runs);
    }
  }
  throw internal_error("make_engine: unknown engine choice");
}

}  // namespace ranvier
