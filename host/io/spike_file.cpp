// Reading spike-time CSV files: a header line `time_ms,index`, then one
// `TIME,INDEX` per line; blank lines and lines starting with # are skipped.
#include "host/io/spike_file.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "host/errors.hpp"

namespace ranvier {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<given_spike> parse_spike_file(std::string_view text, const std::string& file) {
  constexpr int max_reported = 20;
  std::vector<given_spike> out;
  std::vector<std::string> problems;
  int extra = 0;
  auto fail = [&](int line, const std::string& what, const std::string& valid) {
    if (static_cast<int>(problems.size()) < max_reported)
      problems.push_back(fmt::format("{}:{}: {}; valid: {}", file, line, what, valid));
    else
      ++extra;
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
    const std::size_t comma = raw.find(',');
    if (comma == std::string_view::npos || raw.find(',', comma + 1) != std::string_view::npos) {
      fail(line, fmt::format("\"{}\" is not two comma-separated fields", raw), "TIME_MS,INDEX");
      continue;
    }
    const std::string t(trim(raw.substr(0, comma)));
    const std::string_view i = trim(raw.substr(comma + 1));
    char* endp = nullptr;
    errno = 0;
    const double time = std::strtod(t.c_str(), &endp);
    std::int64_t index = 0;
    const auto r = std::from_chars(i.data(), i.data() + i.size(), index);
    bool ok = true;
    if (t.empty() || *endp != '\0' || !std::isfinite(time)) {
      fail(line, fmt::format("the time \"{}\" is not a finite number", t), "a time in ms");
      ok = false;
    }
    if (i.empty() || r.ec != std::errc() || r.ptr != i.data() + i.size()) {
      fail(line, fmt::format("the index \"{}\" is not an integer", i), "a source index, an integer >= 0");
      ok = false;
    }
    if (ok) out.push_back({time, index, line});
  }
  if (!header) fail(line, "the file is empty", "a header line \"time_ms,index\" and one spike a line");
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    if (extra > 0) msg += fmt::format("\n... and {} more problems", extra);
    throw model_error(msg);
  }
  return out;
}

std::vector<given_spike> read_spike_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw model_error(fmt::format("{}: cannot open the spike file: {}", path, std::strerror(errno)));
  std::ostringstream s;
  s << in.rdbuf();
  return parse_spike_file(s.str(), path);
}

}  // namespace ranvier
