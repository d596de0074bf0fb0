// The problems found in an input (a model file, an SWC file, a spike file,
// a network built in C++), gathered so that one model_error lists them all,
// each as "WHERE: what is wrong; valid: what would be", in the order of the
// file.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "host/model/model.hpp"

namespace ranvier {

class problem_list {
 public:
  // At most `max_shown` problems are listed, then how many more there are
  // (0: every one).
  explicit problem_list(std::size_t max_shown = 0) : max_shown_(max_shown) {}

  void add(const source_loc& where, const std::string& what, const std::string& valid);
  // A problem already worded (another file's, listed where the model names it).
  void add_text(const source_loc& where, std::string text);

  std::size_t size() const { return list_.size(); }
  bool empty() const { return list_.empty(); }

  // Throws model_error with every problem, ordered by line and column
  // (those without a line in the order found); nothing if there is none.
  void throw_if_any();

 private:
  struct entry {
    int line;
    int column;
    std::string text;
  };
  std::size_t max_shown_;
  std::vector<entry> list_;
};

}  // namespace ranvier
