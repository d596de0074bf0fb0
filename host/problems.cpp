#include "host/problems.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "host/errors.hpp"

namespace ranvier {

void problem_list::add(const source_loc& where, const std::string& what, const std::string& valid) {
  add_text(where, to_string(where) + ": " + what + "; valid: " + valid);
}

void problem_list::add_text(const source_loc& where, std::string text) {
  list_.push_back({where.line, where.column, std::move(text)});
}

void problem_list::throw_if_any() {
  if (list_.empty()) return;
  std::stable_sort(list_.begin(), list_.end(), [](const entry& a, const entry& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  const std::size_t shown = max_shown_ > 0 ? std::min(list_.size(), max_shown_) : list_.size();
  std::string msg;
  for (std::size_t i = 0; i < shown; ++i) msg += (i == 0 ? "" : "\n") + list_[i].text;
  if (list_.size() > shown) msg += fmt::format("\n... and {} more problems", list_.size() - shown);
  throw model_error(msg);
}

}  // namespace ranvier
