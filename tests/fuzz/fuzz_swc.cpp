// libFuzzer target: the bytes as an SWC file, read into sections and, when
// it reads, made the morphology of a cable cell type that check() then cuts
// into nodes (NEURON's discretisation, host/build/morphology.cpp), as a model
// naming the file would. A model_error is the answer bad input must get;
// anything else that escapes is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "host/errors.hpp"
#include "host/io/swc.hpp"
#include "host/model/check.hpp"
#include "host/model/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    ranvier::swc_morphology swc = ranvier::parse_swc(text, "fuzz.swc");
    ranvier::network net;
    ranvier::cell_desc c;
    c.name = "swc";
    c.has_morphology = true;
    c.morphology.swc = swc.file;
    c.morphology.imported = std::move(swc.sections);
    // A mechanism everywhere: its region is looked up among the nodes.
    ranvier::mechanism_desc leak;
    leak.kind = "leak";
    c.mechanisms.push_back(leak);
    net.cells.push_back(std::move(c));
    ranvier::check(net);
  } catch (const ranvier::model_error&) {
  }
  return 0;
}
