// The semantic checks of a network description: everything that can be wrong
// in a description whose form is right (a model file that parsed, or a network
// built in C++), found before anything is built or allocated.
#pragma once

#include <string>

#include "host/model/model.hpp"

namespace ranvier {

// Throws one model_error whose message lists every problem of `net`, one per
// line, as "LOCATION: what is wrong; valid: what would be". LOCATION is
// FILE:LINE:COL: KEY for a description read from a file and the key path
// alone (e.g. "projection[2] 'ee'.probability") for one built in C++.
// Returns if there are none.
void check(const network& net);

// A number as the model file would write it ("3.0", "0.025", "inf", "nan"):
// how the checker and the file reader show values in messages.
std::string show_number(double x);

}  // namespace ranvier
