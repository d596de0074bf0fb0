// Reading an SWC morphology (the NeuroMorpho.org format) into the sections of
// a cable cell, with NEURON's conventions for the soma and for where a
// section starts, so that a cell imported here matches the same cell in NEURON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host/model/model.hpp"

namespace ranvier {

// ---- The format ---------------------------------------------------------------
//
// One point per line: `id type x y z radius parent`, seven fields separated by
// white space. id is an integer >= 0, unique in the file; type an integer
// >= 0; x, y, z [µm] and radius [µm] finite numbers, radius > 0; parent the id
// of another point, or -1 for the root. `#` starts a comment, on its own line
// or after the fields; blank lines are skipped. Points may come in any order:
// a parent may follow its children. There is exactly one root.
//
// ---- Conventions of the conversion ----------------------------------------------
//
// Tags. Type 1 is "soma", 2 "axon", 3 "dend" (basal dendrite), 4 "apic"; any
// other type N is "type_N".
//
// Soma. The type-1 points make the soma; they must hang from one another, up
// to the root. Whatever their number, the soma becomes one section "soma"
// (tag "soma"), a cylinder of length 2r and diameter 2r, whose membrane area
// 4πr² is that of a sphere of radius r: points {(0, 2r), (2r, 2r)}. r is
//  - one point (a single type-1 point): its radius;
//  - three points (NeuroMorpho's standard: exactly three type-1 points, a
//    centre c of radius r and two type-1 children of it at c ± (0, r, 0) with
//    radius r, all within 1e-3·r): the centre's radius;
//  - contour (any other two or more type-1 points): the mean distance of the
//    points from their centroid, or, if that is 0 (all points coincide), the
//    largest radius of the points.
// A point of another type whose parent is a soma point starts a section that
// attaches to the soma at x = 0.5; the soma point is not part of it.
//
// Neurites. A section is a longest unbranched chain of points of one type. A
// point starts a new section if its parent is a soma point, if its parent has
// two or more children, or if its type differs from its parent's (or if it
// is the root of a file without a soma). Where the parent point is not a soma
// point, the section's first point repeats the parent point (its position and
// diameter), then come the section's own points, as NEURON does; the parent
// point is the last point of its own section, and the new section attaches at
// parent_x = 1 of that section. Without a soma, the root point is the first
// point of the root section (parent "").
//
// Geometry. A section's point arcs are the cumulative straight-line distances
// between its consecutive points [µm], starting at 0; diameters are twice the
// radii [µm]. A section whose points all coincide (a single point included)
// has zero length and is an error.
//
// Names. The soma is "soma"; every other section is "TAG[i]" ("dend[0]",
// "apic[3]", "type_7[0]"), numbered per tag in the order of the line of the
// section's first own point. Sections come out in that order too, the soma
// first; a parent may come after its children. Each section's `where` is
// {file, line of its first own point (the soma: of its first point in the
// file), 0, "swc"}; none has its own discretization.
//
// ---- Errors ---------------------------------------------------------------------
//
// The whole file is read and checked before any section is built. Every
// problem becomes one line "FILE:LINE: what is wrong; valid: what would be",
// in the order of the lines; a model_error carries the first 20 of them, then
// "... and N more problems" if there are more.

// How the soma was given.
enum class swc_soma { none, one_point, three_point, contour };

struct swc_morphology {
  std::string file;                    // the file name, as given (for messages)
  swc_soma soma = swc_soma::none;
  std::vector<section_desc> sections;  // names unique; parents need not come before children
};

// Reads the SWC file at `path`. Throws model_error if it cannot be read or
// breaks any rule above.
swc_morphology read_swc(const std::string& path);

// The same from the file's text; `file_name` is what messages and the
// sections' locations name.
swc_morphology parse_swc(std::string_view text, const std::string& file_name);


}  // namespace ranvier
