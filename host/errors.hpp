// The error types of Ranvier. Two roots: model_error (the input is wrong: it
// says what, where and what would be valid) and internal_error (Ranvier is
// wrong). cuda_error carries the CUDA error name and the file:line of the call.
#pragma once

#include <stdexcept>
#include <string>

namespace ranvier {

class model_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class internal_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Writing an output failed (a full disk, a removed directory): says which
// file and why.
class io_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Memory ran out all the same (the estimate before the run said it would
// fit): says while doing what, with the estimate and what was available.
class resource_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class cuda_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ranvier
