// Reading spike-time CSV files: a header line `time_ms,index`, then one
// `TIME,INDEX` per line; blank lines and lines starting with # are skipped.
#include "host/io/spike_file.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "host/errors.hpp"
#include "host/io/text.hpp"
#include "host/problems.hpp"

namespace ranvier {

std::vector<given_spike> parse_spike_file(std::string_view text, const std::string& file) {
  text = without_bom(text);
  std::vector<given_spike> out;
  problem_list errs(20);
  const auto fail = [&](int line, const std::string& what, const std::string& valid) {
    errs.add({file, line, 0, ""}, what, valid);
  };
  bool header = false;
  int line = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view raw = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line;
    if (raw.empty() || raw.front() == '#') continue;
    if (!header) {
      header = true;
      if (raw != "time_ms,index")
        fail(line, fmt::format("the header is \"{}\"", raw), "the header line \"time_ms,index\"");
      continue;
    }
    const auto f = split(raw, ",");
    if (f.size() != 2) {
      fail(line, fmt::format("\"{}\" is not two comma-separated fields", raw), "TIME_MS,INDEX");
      continue;
    }
    const auto time = read_real(f[0]);
    const auto index = read_integer(f[1]);
    if (!time || !std::isfinite(*time))
      fail(line, fmt::format("the time \"{}\" is not a finite number", f[0]), "a time in ms");
    if (!index) fail(line, fmt::format("the index \"{}\" is not an integer", f[1]), "a source index, an integer >= 0");
    if (time && std::isfinite(*time) && index) out.push_back({*time, *index, line});
  }
  if (!header)
    fail(line, "the file holds no header and no spike (every line is blank or a comment)",
         "a header line \"time_ms,index\" and one spike a line");
  errs.throw_if_any();
  return out;
}

std::vector<given_spike> read_spike_file(const std::string& path) {
  return parse_spike_file(read_text_file(path, "spike file"), path);
}

}  // namespace ranvier
