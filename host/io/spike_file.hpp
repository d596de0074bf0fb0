// Spike times from a CSV file (`time_ms,index`, one spike a line), for
// populations of kind "spike_times": replaying recorded inputs, or sending
// single events. The format is the one `ranvier run` writes for spikes.csv,
// without the population column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host/model/model.hpp"

namespace ranvier {

// Reads every spike of the file. Throws model_error listing every malformed
// line (at most 20) as "FILE:LINE: what is wrong; valid: ...". Whether times
// and indices fit the population is check()'s concern.
std::vector<given_spike> read_spike_file(const std::string& path);
std::vector<given_spike> parse_spike_file(std::string_view text, const std::string& file_name);

}  // namespace ranvier
