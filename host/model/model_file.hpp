// Reading a model file (TOML, described in docs/model-file.md) into a network
// description. Only the form is checked here (syntax, known keys, types,
// required keys, finite numbers, allowed strings); whether the values make
// sense together is check()'s job (host/check.hpp).
#pragma once

#include <string>
#include <string_view>

#include "host/model/model.hpp"

namespace ranvier {

// Reads and parses the file at `path`. Throws model_error if the file cannot
// be read or is malformed; the message lists every problem, one per line, as
// "FILE:LINE:COL: KEY: what is wrong; valid: what would be".
network load_model_file(const std::string& path);

// Parses model text; `source_name` is the file name used in locations and
// stored in network::source.
network parse_model(std::string_view text, const std::string& source_name);

}  // namespace ranvier
