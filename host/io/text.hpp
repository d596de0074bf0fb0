// Reading the plain-text inputs (model, SWC and spike files): the whole file
// at once, lines cut into fields, numbers read exactly and independently of
// the locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier {

// The file's text; a model_error naming the file and `what` it should be
// ("model file", "SWC file") if it is a directory or cannot be read.
std::string read_text_file(const std::string& path, const std::string& what);

// Without a leading UTF-8 byte-order mark (which spreadsheets write at the
// start of a CSV file): the text a reader parses.
std::string_view without_bom(std::string_view text);

// Without leading and trailing blanks (space, tab, CR, VT, FF).
std::string_view trim(std::string_view s);

// The fields of a line split at `separators`, blanks trimmed. With blanks as
// separators, runs of them count as one and empty fields are dropped.
std::vector<std::string_view> split(std::string_view line, std::string_view separators);

// A whole field as an integer or a number (from_chars: no locale, no hex; a
// leading '+' allowed). A well-formed number beyond a double reads as ±inf
// or 0, for the caller to report as not finite.
std::optional<std::int64_t> read_integer(std::string_view s);
std::optional<double> read_real(std::string_view s);

}  // namespace ranvier
