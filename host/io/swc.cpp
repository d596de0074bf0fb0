// The SWC reader: a first pass reads every line into points, a second checks
// the tree they form, and only a file with no problem at all is cut into
// sections (conventions in swc.hpp), so one run shows the user every fault.
#include "host/io/swc.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "host/errors.hpp"
#include "host/io/text.hpp"
#include "host/model/check.hpp"
#include "host/problems.hpp"

namespace ranvier {

namespace {

// A message longer than this many problems is cut: past the first few, more
// lines rarely tell the user anything new (a misaligned column repeats on
// every line).
constexpr std::size_t max_reported_problems = 20;

// The three-point soma's side points may be off by this fraction of the radius
// (files round coordinates to a few decimals).
constexpr double three_point_tolerance = 1e-3;

constexpr const char* point_fields = "7 fields: id type x y z radius parent";
constexpr const char* valid_parent = "-1 for the root, or the id of a point in the file";

// One data line. A field that could not be read leaves its has_ flag false;
// the point still takes part in the tree checks its readable fields allow.
struct swc_point {
  int line = 0;
  std::int64_t id = 0;
  std::int64_t type = 0;
  double x = 0.0, y = 0.0, z = 0.0;  // [µm]
  double radius = 0.0;               // [µm]
  std::int64_t parent = -1;
  bool has_id = false, has_type = false, has_parent = false;
};

// The file's problems, by line.
class problems {
 public:
  explicit problems(std::string file) : file_(std::move(file)) {}
  void add(int line, const std::string& what, const std::string& valid) { list_.add({file_, line, 0, ""}, what, valid); }
  bool empty() const { return list_.empty(); }
  void throw_if_any() { list_.throw_if_any(); }

 private:
  std::string file_;
  problem_list list_{max_reported_problems};
};

// Splits a line into its fields, dropping a comment.
std::vector<std::string_view> fields_of(std::string_view line) {
  return split(line.substr(0, line.find('#')), " \t\r\v\f");
}

// The first pass: every data line, field by field. Returns whether some data
// line's id could not be read at all.
bool read_points(std::string_view text, problems& errs, std::vector<swc_point>& points) {
  bool unreadable_id = false;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    const auto f = fields_of(line);
    if (f.empty()) continue;

    swc_point p;
    p.line = line_no;
    if (f.size() != 7) {
      errs.add(line_no, fmt::format("found {} field{} where a point has 7", f.size(), f.size() == 1 ? "" : "s"),
               point_fields);
      // Still learn its id if the first field is one, so that its children
      // are not reported as orphans as well.
      if (auto id = read_integer(f[0]); id && *id >= 0) {
        p.id = *id;
        p.has_id = true;
        points.push_back(p);
      } else {
        unreadable_id = true;
      }
      continue;
    }

    if (auto id = read_integer(f[0]); !id) {
      errs.add(line_no, fmt::format("id '{}' is not an integer", f[0]), "an integer >= 0");
      unreadable_id = true;
    } else if (*id < 0) {
      errs.add(line_no, fmt::format("id {} is negative", *id), "an integer >= 0");
      unreadable_id = true;
    } else {
      p.id = *id;
      p.has_id = true;
    }

    const std::string valid_type = "an integer >= 0 (1 soma, 2 axon, 3 basal dendrite, 4 apical dendrite, other: user)";
    if (auto type = read_integer(f[1]); !type) {
      errs.add(line_no, fmt::format("type '{}' is not an integer", f[1]), valid_type);
    } else if (*type < 0) {
      errs.add(line_no, fmt::format("type {} is negative", *type), valid_type);
    } else {
      p.type = *type;
      p.has_type = true;
    }

    const char* names[] = {"x", "y", "z", "radius"};
    double* dst[] = {&p.x, &p.y, &p.z, &p.radius};
    for (int k = 0; k < 4; ++k) {
      const bool is_radius = k == 3;
      const std::string valid = is_radius ? "a finite number > 0 [um]" : "a finite number [um]";
      const auto v = read_real(f[2 + k]);
      if (!v) {
        errs.add(line_no, fmt::format("{} '{}' is not a number", names[k], f[2 + k]), valid);
      } else if (!std::isfinite(*v)) {
        errs.add(line_no, fmt::format("{} '{}' is not a finite number", names[k], f[2 + k]), valid);
      } else if (is_radius && *v <= 0.0) {
        errs.add(line_no, fmt::format("radius {} um is not positive", show_number(*v)), valid);
      } else {
        *dst[k] = *v;
      }
    }

    if (auto parent = read_integer(f[6]); !parent) {
      errs.add(line_no, fmt::format("parent '{}' is not an integer", f[6]), valid_parent);
    } else if (*parent < -1) {
      errs.add(line_no, fmt::format("parent {} is neither -1 nor an id", *parent), valid_parent);
    } else {
      p.parent = *parent;
      p.has_parent = true;
    }

    if (p.has_id) points.push_back(p);
  }
  return unreadable_id;
}

template <class Ints>
std::string join_ints(const Ints& v, const char* sep) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : sep) + std::to_string(x);
  return s;
}

// The index of each point's parent in `points`, or `none` for the root and
// for a parent that cannot be followed (unreadable, unknown, the point itself).
constexpr std::size_t none = static_cast<std::size_t>(-1);

// The second pass: the tree. Duplicates are dropped from `points` (after
// being reported) so that the ids left are unique; returns the parent links.
std::vector<std::size_t> check_tree(std::vector<swc_point>& points, bool unreadable_id, problems& errs) {
  std::unordered_map<std::int64_t, std::size_t> index;  // id -> its first point
  std::vector<swc_point> unique;
  unique.reserve(points.size());
  for (const auto& p : points) {
    if (auto [it, fresh] = index.try_emplace(p.id, unique.size()); !fresh) {
      errs.add(p.line, fmt::format("id {} is already used on line {}", p.id, unique[it->second].line),
               "each id on one line only");
      continue;
    }
    unique.push_back(p);
  }
  points = std::move(unique);

  const std::size_t n = points.size();
  std::vector<std::size_t> parent(n, none);
  std::vector<int> root_lines;
  for (std::size_t i = 0; i < n; ++i) {
    const swc_point& p = points[i];
    if (!p.has_parent) continue;
    if (p.parent == -1) {
      root_lines.push_back(p.line);
    } else if (p.parent == p.id) {
      errs.add(p.line, fmt::format("point {} is its own parent", p.id), valid_parent + std::string(" other than itself"));
    } else if (auto it = index.find(p.parent); it != index.end()) {
      parent[i] = it->second;
    } else if (!unreadable_id) {
      // With an id that could not be read, an unknown parent is most likely
      // that point: the message about the id says it all.
      errs.add(p.line, fmt::format("parent {} of point {} is not in the file", p.parent, p.id), valid_parent);
    }
  }

  if (root_lines.size() > 1) {
    errs.add(root_lines[1],
             fmt::format("a second root: the file has {} points with parent -1, on lines {}", root_lines.size(),
                         join_ints(root_lines, ", ")),
             "one root per file (one cell)");
  }

  // Cycles: follow each chain of parents; meeting a point of the chain being
  // followed closes a cycle. Each point is walked once, so this is linear.
  enum : char { unseen, on_walk, done };
  std::vector<char> state(n, unseen);
  std::vector<std::size_t> walk;
  for (std::size_t start = 0; start < n; ++start) {
    walk.clear();
    std::size_t i = start;
    while (i != none && state[i] == unseen) {
      state[i] = on_walk;
      walk.push_back(i);
      i = parent[i];
    }
    if (i != none && state[i] == on_walk) {
      // The cycle is the walk from i on; name it from its first line.
      const auto from = std::find(walk.begin(), walk.end(), i);
      std::vector<std::size_t> cycle(from, walk.end());
      const auto first = std::min_element(cycle.begin(), cycle.end(), [&](std::size_t a, std::size_t b) {
        return points[a].line < points[b].line;
      });
      std::rotate(cycle.begin(), first, cycle.end());
      std::vector<std::int64_t> ids;
      for (auto c : cycle) ids.push_back(points[c].id);
      ids.push_back(points[cycle.front()].id);
      errs.add(points[cycle.front()].line,
               fmt::format("the parents of points {} form a cycle that never reaches a root ({})",
                           join_ints(std::vector<std::int64_t>(ids.begin(), ids.end() - 1), ", "),
                           join_ints(ids, " -> ")),
               "chains of parents that end at the root (parent -1)");
    }
    for (auto w : walk) state[w] = done;
  }

  // The soma must be one group at the root, or the sections around it would
  // be undefined.
  for (std::size_t i = 0; i < n; ++i) {
    const swc_point& p = points[i];
    if (!p.has_type || p.type != 1 || parent[i] == none) continue;
    const swc_point& q = points[parent[i]];
    if (q.has_type && q.type != 1)
      errs.add(p.line, fmt::format("soma point {} (type 1) hangs from point {} of type {}", p.id, q.id, q.type),
               "soma points whose parents are soma points, up to the root");
  }
  return parent;
}

std::string tag_of(std::int64_t type) {
  switch (type) {
    case 1: return "soma";
    case 2: return "axon";
    case 3: return "dend";
    case 4: return "apic";
    default: return "type_" + std::to_string(type);
  }
}

double distance(const swc_point& a, const swc_point& b) {
  return std::hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

// Is this set of soma points NeuroMorpho's three-point soma? Then the
// centre's radius is r.
std::optional<double> three_point_radius(const std::vector<swc_point>& points, const std::vector<std::size_t>& parent,
                                         const std::vector<std::size_t>& soma) {
  if (soma.size() != 3) return std::nullopt;
  for (std::size_t c : soma) {
    std::vector<std::size_t> sides;
    for (std::size_t s : soma)
      if (parent[s] == c) sides.push_back(s);
    if (sides.size() != 2) continue;
    const swc_point& centre = points[c];
    const double r = centre.radius, tol = three_point_tolerance * r;
    auto at = [&](const swc_point& p, double dy) {
      return std::hypot(p.x - centre.x, p.y - (centre.y + dy), p.z - centre.z) <= tol &&
             std::abs(p.radius - r) <= tol;
    };
    const swc_point &a = points[sides[0]], &b = points[sides[1]];
    if ((at(a, r) && at(b, -r)) || (at(a, -r) && at(b, r))) return r;
  }
  return std::nullopt;
}

}  // namespace

swc_morphology parse_swc(std::string_view text, const std::string& file_name) {
  text = without_bom(text);
  problems errs(file_name);
  std::vector<swc_point> points;
  const bool unreadable_id = read_points(text, errs, points);
  const bool any_line = !points.empty() || unreadable_id || !errs.empty();
  if (!any_line)
    errs.add(1, "the file holds no points (every line is blank or a comment)",
             "one point per line: id type x y z radius parent");
  const std::vector<std::size_t> parent = check_tree(points, unreadable_id, errs);
  errs.throw_if_any();

  // From here the file is sound: every point whole, ids unique, one root,
  // every chain of parents ending there. `points` is in line order.
  const std::size_t n = points.size();
  std::vector<std::vector<std::size_t>> children(n);
  for (std::size_t i = 0; i < n; ++i)
    if (parent[i] != none) children[parent[i]].push_back(i);

  swc_morphology out;
  out.file = file_name;

  std::vector<bool> is_soma(n);
  std::vector<std::size_t> soma;
  for (std::size_t i = 0; i < n; ++i)
    if (points[i].type == 1) {
      is_soma[i] = true;
      soma.push_back(i);
    }
  if (!soma.empty()) {
    double r = 0.0;
    if (soma.size() == 1) {
      out.soma = swc_soma::one_point;
      r = points[soma[0]].radius;
    } else if (auto r3 = three_point_radius(points, parent, soma)) {
      out.soma = swc_soma::three_point;
      r = *r3;
    } else {
      out.soma = swc_soma::contour;
      double cx = 0.0, cy = 0.0, cz = 0.0, largest = 0.0;
      for (auto s : soma) {
        cx += points[s].x;
        cy += points[s].y;
        cz += points[s].z;
        largest = std::max(largest, points[s].radius);
      }
      const double k = static_cast<double>(soma.size());
      swc_point centroid;
      centroid.x = cx / k;
      centroid.y = cy / k;
      centroid.z = cz / k;
      for (auto s : soma) r += distance(points[s], centroid);
      r /= k;
      if (r == 0.0) r = largest;
    }
    section_desc s = section_desc::cylinder("soma", "soma", 2.0 * r, 2.0 * r);
    s.where = {file_name, points[soma.front()].line, 0, "swc"};
    out.sections.push_back(std::move(s));
  }

  // Where each section starts: see "Neurites" in swc.hpp.
  auto starts_section = [&](std::size_t i) {
    const std::size_t q = parent[i];
    return q == none || is_soma[q] || children[q].size() >= 2 || points[q].type != points[i].type;
  };

  std::vector<std::size_t> section_of(n, none);  // index into out.sections
  std::vector<std::size_t> first_of;             // per section: the point it starts at (own points)
  std::unordered_map<std::string, int> count;    // per tag: sections named so far
  std::vector<std::vector<std::size_t>> chains;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_soma[i] || !starts_section(i)) continue;
    std::vector<std::size_t> chain{i};
    while (children[chain.back()].size() == 1 && !starts_section(children[chain.back()][0]))
      chain.push_back(children[chain.back()][0]);
    section_desc s;
    s.tag = tag_of(points[i].type);
    s.name = fmt::format("{}[{}]", s.tag, count[s.tag]++);
    s.where = {file_name, points[i].line, 0, "swc"};
    for (auto c : chain) section_of[c] = out.sections.size();
    out.sections.push_back(std::move(s));
    chains.push_back(std::move(chain));
  }

  const std::size_t first_neurite = soma.empty() ? 0 : 1;
  for (std::size_t k = 0; k < chains.size(); ++k) {
    section_desc& s = out.sections[first_neurite + k];
    std::vector<std::size_t> chain = chains[k];
    const std::size_t q = parent[chain.front()];
    if (q == none) {
      s.parent.clear();  // the root section of a cell without a soma
    } else if (is_soma[q]) {
      s.parent = "soma";
      s.parent_x = 0.5;
    } else {
      s.parent = out.sections[section_of[q]].name;
      s.parent_x = 1.0;
      chain.insert(chain.begin(), q);  // the parent point opens the section, as in NEURON
    }
    double arc = 0.0;
    for (std::size_t j = 0; j < chain.size(); ++j) {
      if (j > 0) arc += distance(points[chain[j - 1]], points[chain[j]]);
      s.points.push_back({arc, 2.0 * points[chain[j]].radius});
    }
    if (arc == 0.0) {
      const swc_point& p = points[chain.front()];
      std::vector<std::int64_t> ids;
      for (auto c : chain) ids.push_back(points[c].id);
      const std::string what =
          chain.size() == 1
              ? fmt::format("section {} has zero length: it is the single point {}{}", s.name, p.id,
                            q == none ? ", the root of a file without a soma, which branches, changes type or ends"
                                        " right away"
                                      : ", which hangs from the soma and branches, changes type or ends right away")
              : fmt::format("section {} has zero length: its points {} all lie at ({}, {}, {}) um", s.name,
                            join_ints(ids, ", "), show_number(p.x), show_number(p.y), show_number(p.z));
      errs.add(s.where.line, what, "a section of at least two points that do not all coincide");
    }
  }
  errs.throw_if_any();
  return out;
}

swc_morphology read_swc(const std::string& path) { return parse_swc(read_text_file(path, "SWC file"), path); }

}  // namespace ranvier
