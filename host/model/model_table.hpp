// Reading a model from TOML tables already in memory: what parse_model does
// after the syntax, for front-ends that build the tables themselves (the
// Python module turns dicts and lists into them). Kept apart from
// model_file.hpp so that only those front-ends include toml++.
#pragma once

#include <string>

#include <toml++/toml.h>

#include "host/model/model.hpp"

namespace ranvier {

// The same reading and the same messages as parse_model; a value without a
// place in a file (built in memory) is located by its key path alone,
// "SOURCE: population[0] 'exc'.size: ...". Files the model names (SWC,
// spike times) are relative to SOURCE's directory (the working directory
// when SOURCE has none). network::text stays empty.
network parse_model(const toml::table& root, const std::string& source_name);

}  // namespace ranvier
