#include "host/io/text.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "host/errors.hpp"

namespace ranvier {

namespace {
constexpr std::string_view blanks = " \t\r\v\f";

// from_chars reads neither a leading '+' nor the locale; SWC writers emit
// the former now and then.
std::string_view without_plus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '+' && s[1] != '-') s.remove_prefix(1);
  return s;
}
}  // namespace

std::string read_text_file(const std::string& path, const std::string& what) {
  if (std::filesystem::is_directory(path)) throw model_error(fmt::format("{}: is a directory, not a {}", path, what));
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    std::error_code ec;
    // A file a model names: where a relative path is read from.
    const char* relative = what == "model file" ? ""
                                                : " (a relative path is read from the model file's directory; from "
                                                  "Python, a model of tables reads it from the working directory)";
    throw model_error(fmt::format("{}: cannot open the {}: {} (looked for {}); valid: a readable {}{}", path, what,
                                  std::strerror(e), std::filesystem::absolute(path, ec).string(), what, relative));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw model_error(fmt::format("{}: cannot read the {}: {}", path, what, std::strerror(errno)));
  return text.str();
}

std::string_view without_bom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

std::vector<std::string_view> split(std::string_view line, std::string_view separators) {
  const bool by_blanks = separators.find_first_not_of(blanks) == std::string_view::npos;
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (true) {
    const std::size_t end = std::min(line.find_first_of(separators, i), line.size());
    const std::string_view field = trim(line.substr(i, end - i));
    if (!by_blanks || !field.empty()) out.push_back(field);
    if (end == line.size()) break;
    i = end + 1;
  }
  return out;
}

std::optional<std::int64_t> read_integer(std::string_view s) {
  s = without_plus(s);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> read_real(std::string_view s) {
  s = without_plus(s);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // A well-formed number beyond a double: strtod gives ±inf for 1e999
    // (reported as not finite) and 0 or a denormal for 1e-999.
    return std::strtod(std::string(s).c_str(), nullptr);
  }
  if (ec != std::errc()) return std::nullopt;
  return v;
}

}  // namespace ranvier
