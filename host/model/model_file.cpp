// Reads the TOML model file into a network description, remembering where
// every value was written so that later errors can point at it. Every problem
// of form is collected before anything is thrown, so one run shows the user
// all of them; the semantic checks are left to check().
#include "host/model/model_file.hpp"
#include "host/model/model_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <numbers>
#include <optional>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "host/build/builders.hpp"
#include "host/errors.hpp"
#include "host/io/spike_file.hpp"
#include "host/io/swc.hpp"
#include "host/io/text.hpp"
#include "host/model/check.hpp"
#include "host/model/mechanisms.hpp"
#include "host/problems.hpp"

namespace ranvier {

namespace {

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return fmt::format("a string (\"{}\")", n.as_string()->get());
    case toml::node_type::integer: return fmt::format("an integer ({})", n.as_integer()->get());
    case toml::node_type::floating_point: return fmt::format("a floating-point number ({})", show_number(n.as_floating_point()->get()));
    case toml::node_type::boolean: return n.as_boolean()->get() ? "a boolean (true)" : "a boolean (false)";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// "a", "b", "c" for the valid part of a message.
template <class E>
std::string quoted_list(std::initializer_list<std::pair<const char*, E>> options) {
  std::string s;
  for (const auto& [word, value] : options) s += (s.empty() ? "\"" : ", \"") + std::string(word) + '"';
  return s;
}

enum class need { optional, required };

// One parse: the file name that locations carry and every problem found.
class parser {
 public:
  explicit parser(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  // Files the model names (SWC, spike times) are relative to its directory.
  std::string resolve(const std::string& name) const {
    const std::filesystem::path f(name);
    if (f.is_absolute()) return name;
    return (std::filesystem::path(file_).parent_path() / f).lexically_normal().string();
  }

  // Problems found in another file (SWC, spike times), already formatted,
  // listed where the model names that file.

  source_loc at(const toml::source_region& s, std::string key) const {
    return {file_, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column), std::move(key)};
  }

  void fail(const source_loc& where, const std::string& what, const std::string& valid) {
    problems_.add(where, what, valid);
  }

  // Throws every problem found, in the order of the file.
  void throw_if_failed() { problems_.throw_if_any(); }

  // The conversions below report a wrong value at `path` and return nothing.

  std::optional<double> number(const toml::node& n, const std::string& path, const std::string& valid) {
    if (auto i = n.as_integer()) return static_cast<double>(i->get());
    if (auto f = n.as_floating_point()) {
      const double x = f->get();
      if (std::isfinite(x)) return x;
      fail(at(n.source(), path), show_number(x) + " is not a finite number", valid);
      return std::nullopt;
    }
    fail(at(n.source(), path), "expected a number, got " + type_name(n), valid);
    return std::nullopt;
  }

  std::optional<std::int64_t> integer(const toml::node& n, const std::string& path, const std::string& valid) {
    if (auto i = n.as_integer()) return i->get();
    fail(at(n.source(), path), "expected an integer, got " + type_name(n), valid);
    return std::nullopt;
  }

  std::optional<std::string> text(const toml::node& n, const std::string& path, const std::string& valid) {
    if (auto s = n.as_string()) return s->get();
    fail(at(n.source(), path), "expected a string, got " + type_name(n), valid);
    return std::nullopt;
  }

  std::optional<bool> boolean(const toml::node& n, const std::string& path, const std::string& valid) {
    if (auto b = n.as_boolean()) return b->get();
    fail(at(n.source(), path), "expected a boolean, got " + type_name(n), valid);
    return std::nullopt;
  }

  const toml::table* table(const toml::node& n, const std::string& path, const std::string& valid) {
    if (auto t = n.as_table()) return t;
    fail(at(n.source(), path), "expected a table, got " + type_name(n), valid);
    return nullptr;
  }

  // `[[name]]`: an array whose every element is a table. Elements that are
  // not are reported and come back null.
  std::vector<const toml::table*> tables(const toml::node& n, const std::string& path) {
    std::vector<const toml::table*> out;
    const auto* a = n.as_array();
    if (!a) {
      fail(at(n.source(), path), "expected an array of tables, got " + type_name(n),
           "one [[" + path + "]] header per element");
      return out;
    }
    for (std::size_t i = 0; i < a->size(); ++i)
      out.push_back(table((*a)[i], fmt::format("{}[{}]", path, i), "one [[" + path + "]] header per element"));
    return out;
  }

  std::optional<std::vector<std::int64_t>> integers(const toml::node& n, const std::string& path,
                                                    const std::string& valid) {
    const auto* a = n.as_array();
    if (!a) {
      fail(at(n.source(), path), "expected an array of integers, got " + type_name(n), valid);
      return std::nullopt;
    }
    std::vector<std::int64_t> out;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
      auto x = integer((*a)[i], fmt::format("{}[{}]", path, i), valid);
      if (x) out.push_back(*x);
      ok = ok && x.has_value();
    }
    if (!ok) return std::nullopt;
    return out;
  }

  std::optional<distribution> dist(const toml::node& n, const std::string& path, const std::string& valid);

  // `[[a, b], ...]`: every element a pair, its halves converted by `first`
  // and `second`; wrong elements are reported and skipped.
  template <class A, class B>
  std::vector<std::pair<A, B>> pairs(const toml::node& n, const std::string& path, const std::string& valid,
                                     std::optional<A> (parser::*first)(const toml::node&, const std::string&,
                                                                       const std::string&),
                                     std::optional<B> (parser::*second)(const toml::node&, const std::string&,
                                                                        const std::string&)) {
    std::vector<std::pair<A, B>> out;
    const auto* a = n.as_array();
    if (!a) {
      fail(at(n.source(), path), "expected an array of pairs, got " + type_name(n), valid);
      return out;
    }
    for (std::size_t k = 0; k < a->size(); ++k) {
      const std::string ep = fmt::format("{}[{}]", path, k);
      const auto* pair = (*a)[k].as_array();
      if (!pair || pair->size() != 2) {
        fail(at((*a)[k].source(), ep),
             pair ? fmt::format("expected a pair, got {} values", pair->size()) : "expected a pair, got " + type_name((*a)[k]),
             valid);
        continue;
      }
      auto x = (this->*first)((*pair)[0], ep + "[0]", valid);
      auto y = (this->*second)((*pair)[1], ep + "[1]", valid);
      if (x && y) out.emplace_back(*x, *y);
    }
    return out;
  }

  // The problems another file (SWC, spike times) had, each already
  // "FILE:LINE: ...", listed where the model names that file.
  // Each line after the key that names the file ("model.toml:22:8:
  // population[1] 'input'.file: spikes.csv:3: ...").
  void fail_file(const source_loc& where, const model_error& e) {
    std::string_view msg = e.what();
    while (!msg.empty()) {
      const auto nl = std::min(msg.find('\n'), msg.size());
      problems_.add_text(where, to_string(where) + ": " + std::string(msg.substr(0, nl)));
      msg.remove_prefix(std::min(nl + 1, msg.size()));
    }
  }

 private:
  std::string file_;
  problem_list problems_;
};

std::optional<location_desc> read_location(parser& p, const toml::node& n, const std::string& path);

// The keys of one table, read into one element. Looking a key up records
// where its value is written and makes it a valid key of the table; whatever
// is left unread at the end is an unknown key.
class fields {
 public:
  fields(parser& p, const toml::table& t, std::string path, located& elem)
      : p_(p), t_(t), path_(std::move(path)), elem_(elem) {}

  std::string key_path(std::string_view key) const { return path_ + "." + std::string(key); }

  const toml::node* get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    const toml::node* n = t_.get(key);
    if (n) elem_.keys[std::string(key)] = p_.at(n->source(), key_path(key));
    return n;
  }

  const toml::node* get(std::string_view key, need req, const std::string& valid) {
    const toml::node* n = get(key);
    if (!n && req == need::required)
      p_.fail(elem_.loc(std::string(key)), fmt::format("required key '{}' is missing", key), valid);
    return n;
  }

  bool number(std::string_view key, double& dst, need req, const std::string& valid) {
    return read(key, dst, req, valid, &parser::number);
  }
  bool number(std::string_view key, std::optional<double>& dst, need req, const std::string& valid) {
    return read(key, dst, req, valid, &parser::number);
  }
  bool integer(std::string_view key, std::int64_t& dst, need req, const std::string& valid) {
    return read(key, dst, req, valid, &parser::integer);
  }
  bool text(std::string_view key, std::string& dst, need req, const std::string& valid) {
    return read(key, dst, req, valid, &parser::text);
  }
  bool boolean(std::string_view key, bool& dst, const std::string& valid) {
    return read(key, dst, need::optional, valid, &parser::boolean);
  }
  bool integers(std::string_view key, std::vector<std::int64_t>& dst, const std::string& valid) {
    return read(key, dst, need::optional, valid, &parser::integers);
  }
  bool dist(std::string_view key, distribution& dst, need req, const std::string& valid) {
    return read(key, dst, req, valid, &parser::dist);
  }
  // `{ section = "NAME", x = X }`.
  bool location(std::string_view key, location_desc& dst, need req = need::optional) {
    const toml::node* n = get(key, req, "a location { section = \"NAME\", x = 0..1 }");
    if (!n) return false;
    auto l = read_location(p_, *n, key_path(key));
    if (l) dst = *l;
    return l.has_value();
  }

  // One of a fixed set of words.
  template <class E>
  bool choice(std::string_view key, E& dst, need req, std::initializer_list<std::pair<const char*, E>> options) {
    const std::string valid = quoted_list(options);
    std::string word;
    if (!text(key, word, req, valid)) return false;
    for (const auto& [w, value] : options)
      if (word == w) {
        dst = value;
        return true;
      }
    p_.fail(elem_.loc(std::string(key)), fmt::format("\"{}\" is not one of the allowed values", word), valid);
    return false;
  }

  // A key that belongs to another kind of this element: an error if given.
  void only_for(std::string_view key, const std::string& kind_key, const std::string& kinds) {
    if (get(key))
      p_.fail(elem_.loc(std::string(key)), fmt::format("'{}' applies only when {} = {}", key, kind_key, kinds),
              fmt::format("remove '{}', or set {} = {}", key, kind_key, kinds));
  }

  // The keys not looked up so far (in key order: toml::table is a map).
  std::vector<std::pair<std::string, const toml::node*>> rest() const {
    std::vector<std::pair<std::string, const toml::node*>> out;
    for (auto&& [k, v] : t_)
      if (std::find(known_.begin(), known_.end(), k.str()) == known_.end()) out.emplace_back(std::string(k.str()), &v);
    return out;
  }

  void unknown_keys() {
    std::string valid;
    for (const auto& k : known_) valid += (valid.empty() ? "" : ", ") + k;
    for (auto&& [k, v] : t_)
      if (std::find(known_.begin(), known_.end(), k.str()) == known_.end())
        p_.fail(p_.at(k.source(), key_path(k.str())), fmt::format("unknown key '{}'", k.str()), valid);
  }

 private:
  // Looks `key` up and converts it; false when it is absent or wrong (which
  // the conversion has reported).
  template <class T, class Conv>
  bool read(std::string_view key, T& dst, need req, const std::string& valid, Conv conv) {
    const toml::node* n = get(key, req, valid);
    if (!n) return false;
    auto v = (p_.*conv)(*n, key_path(key), valid);
    if (!v) return false;
    dst = std::move(*v);
    return true;
  }

  parser& p_;
  const toml::table& t_;
  std::string path_;
  located& elem_;
  std::vector<std::string> known_;
};

std::optional<distribution> parser::dist(const toml::node& n, const std::string& path, const std::string& valid) {
  if (n.is_number()) {
    auto x = number(n, path, valid);
    if (!x) return std::nullopt;
    distribution d = distribution::constant(*x);
    d.where = at(n.source(), path);
    return d;
  }
  const auto* t = n.as_table();
  if (!t) {
    fail(at(n.source(), path), "expected a number or a distribution table, got " + type_name(n), valid);
    return std::nullopt;
  }
  distribution d;
  d.where = at(n.source(), path);
  fields f(*this, *t, path, d);
  using K = distribution::kind;
  if (!f.choice("dist", d.type, need::required,
                {std::pair{"uniform", K::uniform}, std::pair{"normal", K::normal}, std::pair{"lognormal", K::lognormal}}))
    return std::nullopt;  // which other keys are valid depends on the kind
  const std::string unit_valid = "a number in the unit of " + path;
  bool ok = true;
  switch (d.type) {
    case K::uniform:
      ok &= f.number("low", d.low, need::required, unit_valid);
      ok &= f.number("high", d.high, need::required, unit_valid);
      break;
    case K::normal:
      ok &= f.number("mean", d.mean, need::required, unit_valid);
      ok &= f.number("sd", d.sd, need::required, "a standard deviation > 0, " + unit_valid);
      f.number("low", d.low, need::optional, "a lower bound (draws below are redrawn), " + unit_valid);
      f.number("high", d.high, need::optional, "an upper bound (draws above are redrawn), " + unit_valid);
      break;
    case K::lognormal:
      d.low = 0.0;  // as distribution::lognormal: a lognormal draw is positive anyway
      ok &= f.number("mu", d.mu, need::required, "the mean of the underlying normal, a number");
      ok &= f.number("sigma", d.sigma, need::required, "the sd of the underlying normal, a number > 0");
      f.number("low", d.low, need::optional, "a lower bound (draws below are redrawn), " + unit_valid);
      f.number("high", d.high, need::optional, "an upper bound (draws above are redrawn), " + unit_valid);
      break;
    case K::constant: break;
  }
  f.unknown_keys();
  if (!ok) return std::nullopt;
  return d;
}

// `{ section = "dend", x = 0.5 }`: a place on a cable cell.
std::optional<location_desc> read_location(parser& p, const toml::node& n, const std::string& path) {
  const std::string valid = "a table { section = \"NAME\", x = 0..1 }";
  const toml::table* t = p.table(n, path, valid);
  if (!t) return std::nullopt;
  location_desc l;
  l.where = p.at(n.source(), path);
  fields f(p, *t, path, l);
  const bool ok = f.text("section", l.section, need::required, "the name of a section of the cell");
  f.number("x", l.x, need::optional, "the position along the section, 0 (its start) to 1 (its end)");
  f.unknown_keys();
  if (!ok) return std::nullopt;
  return l;
}

// "dend", ["dend", "apic"], or { names = [...], min_distance = 0, max_distance = 200 }.
std::optional<region_desc> read_region(parser& p, const toml::node& n, const std::string& path) {
  const std::string valid =
      "a section tag or name, an array of them, or a table { names = [...], min_distance = UM, max_distance = UM }";
  region_desc r;
  r.where = p.at(n.source(), path);
  const auto names = [&](const toml::node& x, const std::string& xp) {
    if (auto s = x.as_string()) {
      r.names.push_back(s->get());
      return true;
    }
    if (const auto* a = x.as_array()) {
      bool ok = true;
      for (std::size_t i = 0; i < a->size(); ++i)
        if (auto s = p.text((*a)[i], fmt::format("{}[{}]", xp, i), valid)) r.names.push_back(*s);
        else ok = false;
      return ok;
    }
    p.fail(p.at(x.source(), xp), "expected a string or an array of strings, got " + type_name(x), valid);
    return false;
  };
  if (const auto* t = n.as_table()) {
    fields f(p, *t, path, r);
    bool ok = true;
    if (const toml::node* nm = f.get("names")) ok = names(*nm, f.key_path("names"));
    f.number("min_distance", r.min_distance, need::optional, "a path distance from the soma's centre >= 0 [um]");
    f.number("max_distance", r.max_distance, need::optional, "a path distance from the soma's centre [um]");
    f.unknown_keys();
    if (!ok) return std::nullopt;
    return r;
  }
  if (!names(n, path)) return std::nullopt;
  return r;
}

// A number, or { gradient = "linear" | "exponential" | "sigmoid", ... }.
std::optional<param_value> read_param_value(parser& p, const toml::node& n, const std::string& path) {
  const std::string valid = "a number in the parameter's unit, or a gradient table { gradient = \"linear\", ... }";
  if (n.is_number()) {
    auto x = p.number(n, path, valid);
    if (!x) return std::nullopt;
    param_value v(*x);
    v.where = p.at(n.source(), path);
    return v;
  }
  const toml::table* t = n.as_table();
  if (!t) {
    p.fail(p.at(n.source(), path), "expected a number or a gradient table, got " + type_name(n), valid);
    return std::nullopt;
  }
  param_value v;
  v.where = p.at(n.source(), path);
  fields f(p, *t, path, v);
  using K = param_value::kind;
  if (!f.choice("gradient", v.type, need::required,
                {std::pair{"linear", K::linear}, std::pair{"exponential", K::exponential},
                 std::pair{"sigmoid", K::sigmoid}}))
    return std::nullopt;
  const std::string u = "a number in the parameter's unit";
  bool ok = true;
  switch (v.type) {
    case K::linear:
      ok &= f.number("at_soma", v.value, need::required, "the value at the soma's centre, " + u);
      ok &= f.number("slope", v.slope, need::required, "the change per um of path distance [unit/um]");
      break;
    case K::exponential:
      ok &= f.number("scale", v.scale, need::required, "the factor of e^(d/length), " + u);
      ok &= f.number("length", v.length, need::required, "the e-folding length, a number != 0 [um] (< 0: decaying)");
      f.number("offset", v.offset, need::optional, "a constant added, " + u);
      break;
    case K::sigmoid:
      ok &= f.number("at_soma", v.value, need::required, "the value at the soma's centre, " + u);
      ok &= f.number("far", v.far, need::required, "the value far from the soma, " + u);
      ok &= f.number("half", v.half, need::required, "the distance of the midpoint [um]");
      ok &= f.number("length", v.length, need::required, "the width of the transition, a number > 0 [um]");
      break;
    case K::constant: break;
  }
  f.number("min", v.min, need::optional, "a lower bound the values are clipped to, " + u);
  f.number("max", v.max, need::optional, "an upper bound the values are clipped to, " + u);
  f.unknown_keys();
  if (!ok) return std::nullopt;
  return v;
}

std::string named(std::string path, const toml::table& t) {
  if (auto s = t["name"].value<std::string>()) path += " '" + *s + "'";
  return path;
}

void numbers(parser& p, const toml::node& n, const std::string& path, const std::string& valid, std::vector<double>& out);

void read_simulation(parser& p, const toml::table& root, simulation_desc& sim) {
  const toml::node* n = root.get("simulation");
  if (!n) {
    p.fail({p.file(), 0, 0, "simulation"}, "the required table [simulation] is missing",
           "a [simulation] table giving at least duration [ms]");
    return;
  }
  const toml::table* t = p.table(*n, "simulation", "a [simulation] table");
  if (!t) return;
  sim.where = p.at(n->source(), "simulation");
  fields f(p, *t, "simulation", sim);
  f.number("dt", sim.dt, need::optional, "the time step, a number > 0 [ms]");
  f.number("duration", sim.duration, need::required, "the simulated time, a number >= dt [ms]");
  std::int64_t seed = 0;
  if (f.integer("seed", seed, need::optional, "an integer >= 0")) {
    if (seed < 0)
      p.fail(sim.loc("seed"), fmt::format("{} is negative", seed), "an integer >= 0");
    else
      sim.seed = static_cast<std::uint64_t>(seed);
  }
  f.choice("precision", sim.prec, need::optional,
           {std::pair{"single", precision::single}, std::pair{"double", precision::double_}});
  f.choice("engine", sim.engine, need::optional,
           {std::pair{"auto", engine_choice::automatic}, std::pair{"cpu", engine_choice::cpu},
            std::pair{"cuda", engine_choice::cuda}});
  f.choice("mode", sim.mode, need::optional,
           {std::pair{"deterministic", arith_mode::deterministic}, std::pair{"fast", arith_mode::fast}});
  f.number("celsius", sim.celsius, need::optional, "a temperature in (-273.15, 100] [degC]");
  f.integer("secondorder", sim.secondorder, need::optional, "0 (implicit Euler) or 2 (Crank-Nicolson)");
  if (const toml::node* n = f.get("v_bounds")) {
    sim.v_bounds.clear();
    numbers(p, *n, f.key_path("v_bounds"), "[lowest, highest], the voltages a run may reach [mV]", sim.v_bounds);
  }
  f.unknown_keys();
}

mechanism_desc read_mechanism(parser& p, const toml::table& t, const std::string& path) {
  mechanism_desc m;
  m.where = p.at(t.source(), path);
  fields f(p, t, path, m);
  f.text("kind", m.kind, need::required, "a mechanism kind: " + mechanism_kind_list());
  if (!f.text("name", m.name, need::optional, "a name for records and init, a string")) m.name = m.kind;
  if (const toml::node* n = f.get("region"))
    if (auto r = read_region(p, *n, f.key_path("region"))) m.region = *r;
  // Every other key is a parameter of the kind; check() knows which exist.
  for (const auto& [key, node] : f.rest()) {
    const std::string kp = f.key_path(key);
    m.keys[key] = p.at(node->source(), kp);
    if (auto x = read_param_value(p, *node, kp)) m.params[key] = *x;
  }
  return m;
}

receptor_desc read_receptor(parser& p, const toml::table& t, const std::string& path) {
  receptor_desc r;
  r.where = p.at(t.source(), path);
  fields f(p, t, path, r);
  f.text("name", r.name, need::required, "the receptor's name, a string");
  f.text("kind", r.kind, need::optional, "a receptor kind: " + receptor_kind_list());
  f.location("location", r.location);
  if (const toml::node* n = f.get("region"))
    if (auto g = read_region(p, *n, f.key_path("region"))) r.region = *g;
  f.choice("spread", r.spread, need::optional,
           {std::pair{"length", spread_rule::uniform_length}, std::pair{"area", spread_rule::uniform_area}});
  // Every other key is a parameter of the kind; check() knows which exist. A
  // reversal potential may name an ion's: e = "ecl".
  for (const auto& [key, node] : f.rest()) {
    const std::string kp = f.key_path(key);
    r.keys[key] = p.at(node->source(), kp);
    if (auto s = node->as_string()) {
      const std::string& w = s->get();
      if (w == "ena" || w == "ek" || w == "eca" || w == "ecl")
        r.from_ion[key] = w.substr(1);
      else
        p.fail(p.at(node->source(), kp), fmt::format("\"{}\" is not an ion's reversal potential", w),
               "a number [mV], or \"ena\", \"ek\", \"eca\", \"ecl\" for the cell type's");
      continue;
    }
    if (auto x = p.number(*node, kp, "a number in the parameter's unit")) r.params[key] = *x;
  }
  return r;
}

// Whether a table in [cell.NAME.init] is a distribution rather than a level
// of nesting: it has `dist`, or (having forgotten it) another key that only a
// distribution has, which is then reported as a missing `dist`.
bool is_distribution(const toml::table& t) {
  for (const char* k : {"dist", "mean", "sd", "mu", "sigma", "low", "high"})
    if (t.contains(k)) return true;
  return false;
}

// [cell.NAME.init]: dotted keys make nested tables, which are flattened back
// to "hh.m".
void read_init(parser& p, const toml::table& t, const std::string& prefix, cell_desc& c) {
  for (auto&& [k, v] : t) {
    const std::string var = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const std::string path = c.where.key + ".init." + var;
    if (const auto* sub = v.as_table(); sub && !is_distribution(*sub)) {
      read_init(p, *sub, var, c);
      continue;
    }
    c.keys["init." + var] = p.at(v.source(), path);
    if (auto d = p.dist(v, path, "a number or a distribution table"))
      c.init[var] = *d;
  }
}

// One of `nseg`, `max_length` or `d_lambda` (with `frequency`; `frequency`
// alone is the d_lambda rule at the default d_lambda), in the table being
// read; returns whether one was given.
bool read_discretization(parser& p, fields& f, discretization_desc& d) {
  using R = discretization_desc::rule;
  const bool has_nseg = f.get("nseg"), has_max = f.get("max_length");
  const bool has_dl = f.get("d_lambda") || (f.get("frequency") && !has_nseg && !has_max);
  if (has_nseg + has_max + has_dl > 1) {
    const char* second = has_dl ? "d_lambda" : "max_length";
    p.fail(d.loc(second), "give one of nseg, max_length and d_lambda", "one discretisation rule");
  }
  if (has_nseg) {
    d.type = R::nseg;
    f.integer("nseg", d.nseg, need::required, "the number of segments, an integer >= 1");
  } else if (has_max) {
    d.type = R::max_length;
    f.number("max_length", d.max_length, need::required, "the longest a segment may be, a number > 0 [um]");
  } else if (has_dl) {
    d.type = R::d_lambda;
    f.number("d_lambda", d.d_lambda, need::optional,
             "a fraction of the AC length constant, a number > 0 (NEURON's default 0.1)");
  }
  if (f.get("frequency")) {
    if (!has_dl && (has_nseg || has_max))
      p.fail(d.loc("frequency"), "'frequency' applies only with d_lambda", "remove it, or use d_lambda");
    f.number("frequency", d.frequency, need::optional, "the frequency of the d_lambda rule, a number > 0 [Hz]");
  }
  return has_nseg || has_max || has_dl;
}

section_desc read_section(parser& p, const toml::table& t, const std::string& path) {
  section_desc s;
  s.where = p.at(t.source(), path);
  fields f(p, t, path, s);
  f.text("name", s.name, need::required, "the section's name, a string unique in the cell");
  f.text("tag", s.tag, need::optional, "\"soma\", \"axon\", \"dend\", \"apic\" or a tag of your own");
  f.text("parent", s.parent, need::optional, "the name of the section it attaches to (none: the root)");
  f.number("parent_x", s.parent_x, need::optional, "where on the parent it attaches, 0..1");
  double length = 0.0;
  const bool length_ok = f.number("length", length, need::required, "the section's length, a number > 0 [um]");
  const std::string dvalid = "a diameter [um], or [start, end] diameters of a tapered section";
  std::vector<double> diams;
  if (const toml::node* n = f.get("diam", need::required, dvalid)) {
    const std::string dp = f.key_path("diam");
    if (const auto* a = n->as_array()) {
      if (a->size() != 2) p.fail(p.at(n->source(), dp), fmt::format("{} diameters", a->size()), dvalid);
      for (std::size_t k = 0; k < a->size(); ++k)
        if (auto x = p.number((*a)[k], fmt::format("{}[{}]", dp, k), dvalid)) diams.push_back(*x);
    } else if (auto x = p.number(*n, dp, dvalid)) {
      diams = {*x, *x};
    }
  }
  if (length_ok && diams.size() == 2) s.points = {{0.0, diams[0]}, {length, diams[1]}};
  s.has_discretization = read_discretization(p, f, s.discretization);
  f.unknown_keys();
  return s;
}

spine_desc read_spine(parser& p, const toml::table& t, const std::string& path) {
  spine_desc s;
  s.where = p.at(t.source(), path);
  fields f(p, t, path, s);
  f.text("name", s.name, need::required, "the spine's name (its sections are NAME_neck and NAME_head)");
  f.location("at", s.at, need::required);
  f.number("neck_length", s.neck_length, need::optional, "a number > 0 [um]");
  f.number("neck_diam", s.neck_diam, need::optional, "a number > 0 [um]");
  f.number("head_length", s.head_length, need::optional, "a number > 0 [um]");
  f.number("head_diam", s.head_diam, need::optional, "a number > 0 [um]");
  f.unknown_keys();
  return s;
}

membrane_desc read_membrane(parser& p, const toml::table& t, const std::string& path) {
  membrane_desc m;
  m.where = p.at(t.source(), path);
  fields f(p, t, path, m);
  if (const toml::node* n = f.get("region", need::required, "the sections it applies to"))
    if (auto r = read_region(p, *n, f.key_path("region"))) m.region = *r;
  f.number("cm", m.cm, need::optional, "the specific capacitance there, a number > 0 [uF/cm2]");
  f.number("Ra", m.ra, need::optional, "the axial resistivity there, a number > 0 [ohm cm]");
  f.number("spine_density", m.spine_density, need::optional, "spines folded into the membrane, a number >= 0 [1/um]");
  f.number("spine_area", m.spine_area, need::optional, "the membrane area of one spine, a number > 0 [um2]");
  f.unknown_keys();
  return m;
}

void read_ions(parser& p, const toml::table& t, const std::string& path, cell_desc& c) {
  fields f(p, t, path, c);
  for (auto [name, ion] : {std::pair{"na", &c.na}, std::pair{"k", &c.k}, std::pair{"ca", &c.ca}, std::pair{"cl", &c.cl}}) {
    const toml::node* n = f.get(name);
    if (!n) continue;
    const std::string ip = f.key_path(name);
    const std::string valid = "{ e = MV } (a fixed reversal potential) or { ci = MM, co = MM } (Nernst)";
    const toml::table* it = p.table(*n, ip, valid);
    if (!it) continue;
    ion->where = p.at(n->source(), ip);
    ion->given = true;
    fields g(p, *it, ip, *ion);
    if (g.get("e")) {
      g.number("e", ion->e, need::required, "the reversal potential [mV]");
      for (const char* k : {"ci", "co"}) g.only_for(k, "e", "absent");
    } else {
      ion->nernst = true;
      g.number("ci", ion->ci, need::required, "the inside concentration, a number > 0 [mM]");
      g.number("co", ion->co, need::required, "the outside concentration, a number > 0 [mM]");
    }
    g.unknown_keys();
  }
  f.unknown_keys();
}

void read_morphology(parser& p, const toml::table& t, const std::string& path, cell_desc& c) {
  morphology_desc& m = c.morphology;
  m.where = p.at(t.source(), path);
  fields f(p, t, path, m);
  f.text("builder", m.builder, need::optional, "a parametric morphology: " + builder_list());
  if (f.get("swc")) {
    std::string file;
    if (f.text("swc", file, need::required, "the path of an SWC file, relative to the model file")) {
      m.swc = p.resolve(file);
      try {
        m.imported = read_swc(m.swc).sections;
      } catch (const model_error& e) {
        p.fail_file(m.loc("swc"), e);
      }
    }
  }
  if (const toml::node* n = f.get("discretization")) {
    const std::string dp = f.key_path("discretization");
    if (const toml::table* dt = p.table(*n, dp, "a table with one of nseg, max_length, d_lambda")) {
      m.discretization.where = p.at(n->source(), dp);
      fields g(p, *dt, dp, m.discretization);
      read_discretization(p, g, m.discretization);
      g.unknown_keys();
    }
  }
  // Every other key is a parameter of the builder; check() knows which exist.
  for (const auto& [key, node] : f.rest()) {
    const std::string kp = f.key_path(key);
    m.keys[key] = p.at(node->source(), kp);
    if (auto x = p.number(*node, kp, "a number in the parameter's unit")) m.builder_params[key] = *x;
  }
}

// The receptors and initial values every kind of cell type has.
void read_inputs_and_init(parser& p, fields& f, const std::string& path, cell_desc& c) {
  if (const toml::node* n = f.get("receptor")) {
    const auto ts = p.tables(*n, path + ".receptor");
    for (std::size_t i = 0; i < ts.size(); ++i)
      if (ts[i]) c.receptors.push_back(read_receptor(p, *ts[i], named(fmt::format("{}.receptor[{}]", path, i), *ts[i])));
  }
  if (const toml::node* n = f.get("init")) {
    if (const toml::table* it = p.table(*n, path + ".init", "a table of initial values"))
      read_init(p, *it, "", c);
  }
}

// A cell type with a neuron model: `model` and the model's parameters, in
// the same table (check() knows which exist), receptors and init.
cell_desc read_model_cell(parser& p, cell_desc c, const toml::table& t, const std::string& path) {
  fields f(p, t, path, c);
  f.text("model", c.model, need::required, "a neuron model: " + neuron_model_list());
  read_inputs_and_init(p, f, path, c);
  for (const auto& [key, node] : f.rest()) {
    const std::string kp = f.key_path(key);
    c.keys[key] = p.at(node->source(), kp);
    if (auto x = p.number(*node, kp, "a number in the parameter's unit")) c.model_params[key] = *x;
  }
  return c;
}

cell_desc read_cell(parser& p, const std::string& name, const toml::table& t) {
  cell_desc c;
  c.name = name;
  const std::string path = "cell." + name;
  c.where = p.at(t.source(), path);
  if (t.contains("model")) return read_model_cell(p, std::move(c), t, path);
  fields f(p, t, path, c);

  const std::string area_valid = "area [um2], or diam and length [um] (a point neuron), or a morphology";
  const toml::node* area = f.get("area");
  const toml::node* diam = f.get("diam");
  const toml::node* length = f.get("length");
  const toml::node* morph = f.get("morphology");
  const toml::node* sections = f.get("section");
  const toml::node* spines = f.get("spine");
  c.has_morphology = morph || sections || spines;
  if (c.has_morphology) {
    if (area || diam || length)
      p.fail(c.loc(area ? "area" : diam ? "diam" : "length"),
             "a cell with a morphology takes its area from its sections",
             "remove area, diam and length, or the morphology (for a point neuron)");
    if (morph)
      if (const toml::table* mt = p.table(*morph, path + ".morphology", "a [" + path + ".morphology] table"))
        read_morphology(p, *mt, path + ".morphology", c);
    if (sections) {
      const auto ts = p.tables(*sections, path + ".section");
      for (std::size_t i = 0; i < ts.size(); ++i)
        if (ts[i]) c.morphology.sections.push_back(read_section(p, *ts[i], named(fmt::format("{}.section[{}]", path, i), *ts[i])));
    }
    if (spines) {
      const auto ts = p.tables(*spines, path + ".spine");
      for (std::size_t i = 0; i < ts.size(); ++i)
        if (ts[i]) c.morphology.spines.push_back(read_spine(p, *ts[i], named(fmt::format("{}.spine[{}]", path, i), *ts[i])));
    }
  } else if (area) {
    if (diam || length)
      p.fail(c.loc(diam ? "diam" : "length"), "give the area or diam and length, not both", area_valid);
    f.number("area", c.area, need::required, "the membrane area, a number > 0 [um2]");
  } else if (diam || length) {
    double d = 0.0, l = 0.0;
    // Both are read (not &&) so that both are reported when both are wrong.
    const bool diam_ok = f.number("diam", d, need::required, "the diameter of the cylinder, a number > 0 [um]");
    const bool length_ok = f.number("length", l, need::required, "the length of the cylinder, a number > 0 [um]");
    const bool ok = diam_ok && length_ok;
    // network keeps only the area, so the sizes are checked here: once
    // multiplied, two negative lengths would look like a valid area.
    if (ok && !(d > 0.0))
      p.fail(c.loc("diam"), show_number(d) + " um is not positive", "a diameter > 0 [um]");
    else if (ok && !(l > 0.0))
      p.fail(c.loc("length"), show_number(l) + " um is not positive", "a length > 0 [um]");
    else if (ok) {
      c.area = std::numbers::pi * d * l;  // NEURON's cylinder, without its ends
      c.keys["area"] = c.loc("diam");
    }
  } else {
    p.fail(c.loc("area"), "the membrane area is missing", area_valid);
  }
  f.number("cm", c.cm, need::optional, "the specific capacitance, a number > 0 [uF/cm2]");
  f.number("Ra", c.ra, need::optional, "the axial resistivity, a number > 0 [ohm cm]");
  f.number("threshold", c.threshold, need::optional, "the spike threshold, a number [mV]");
  f.number("refractory", c.refractory, need::optional, "the detector's dead time, a number >= 0 [ms]");
  f.location("detector", c.detector);
  if (const toml::node* n = f.get("membrane")) {
    const auto ts = p.tables(*n, path + ".membrane");
    for (std::size_t i = 0; i < ts.size(); ++i)
      if (ts[i]) c.membrane.push_back(read_membrane(p, *ts[i], fmt::format("{}.membrane[{}]", path, i)));
  }
  if (const toml::node* n = f.get("ions"))
    if (const toml::table* it = p.table(*n, path + ".ions", "a table of ions: na, k, ca, cl"))
      read_ions(p, *it, path + ".ions", c);

  if (const toml::node* n = f.get("mechanism")) {
    const auto ts = p.tables(*n, path + ".mechanism");
    for (std::size_t i = 0; i < ts.size(); ++i)
      if (ts[i]) c.mechanisms.push_back(read_mechanism(p, *ts[i], named(fmt::format("{}.mechanism[{}]", path, i), *ts[i])));
  }
  read_inputs_and_init(p, f, path, c);
  f.unknown_keys();
  return c;
}

// An array of numbers at key path `path` into `out` (each a number, else
// an error at it).
void numbers(parser& p, const toml::node& n, const std::string& path, const std::string& valid, std::vector<double>& out) {
  const auto* a = n.as_array();
  if (!a) {
    p.fail(p.at(n.source(), path), "expected an array of numbers, got " + type_name(n), valid);
    return;
  }
  for (std::size_t k = 0; k < a->size(); ++k)
    if (auto x = p.number((*a)[k], fmt::format("{}[{}]", path, k), valid)) out.push_back(*x);
}

population_desc read_population(parser& p, const toml::table& t, std::size_t i) {
  population_desc pop;
  const std::string path = named(fmt::format("population[{}]", i), t);
  pop.where = p.at(t.source(), path);
  fields f(p, t, path, pop);
  f.text("name", pop.name, need::required, "the population's name, a string");
  f.integer("size", pop.size, need::required, "the number of cells, an integer > 0");
  const bool kind_ok = f.choice("kind", pop.kind, need::optional,
                                {std::pair{"cell", population_kind::cell}, std::pair{"poisson", population_kind::poisson},
                                 std::pair{"spike_times", population_kind::spike_times}});
  const bool kind_given = pop.keys.count("kind") > 0;
  if (kind_given && !kind_ok) {
    // Unknown kind: read the rest for their types only, so as not to add
    // errors that follow from the kind alone.
    f.text("cell", pop.cell, need::optional, "a cell type, a string");
    f.number("rate", pop.rate, need::optional, "a number [Hz]");
    f.number("start", pop.start, need::optional, "a number [ms]");
    f.number("stop", pop.stop, need::optional, "a number [ms]");
  } else if (pop.kind == population_kind::cell) {
    f.text("cell", pop.cell, need::required, "the name of a cell type defined in [cell.NAME]");
    for (const char* k : {"rate", "rates", "rate_interval", "start", "stop"}) f.only_for(k, "kind", "\"poisson\"");
    for (const char* k : {"times", "spikes", "file"}) f.only_for(k, "kind", "\"spike_times\"");
  } else if (pop.kind == population_kind::spike_times) {
    f.only_for("cell", "kind", "\"cell\"");
    for (const char* k : {"rate", "rates", "rate_interval", "start", "stop"}) f.only_for(k, "kind", "\"poisson\"");
    if (const toml::node* n = f.get("times"))
      numbers(p, *n, f.key_path("times"), "an array of times [ms] at which every source of the population fires",
              pop.times);
    if (const toml::node* n = f.get("spikes"))
      for (const auto& [t, c] : p.pairs(*n, f.key_path("spikes"), "an array of [time (ms), source index] pairs",
                                        &parser::number, &parser::integer))
        pop.spikes.push_back({t, c, 0});
    if (f.get("file")) {
      std::string file;
      if (f.text("file", file, need::required, "a CSV file of time_ms,index lines, relative to the model file")) {
        pop.spike_file = p.resolve(file);
        try {
          for (const auto& sp : read_spike_file(pop.spike_file)) pop.spikes.push_back(sp);
        } catch (const model_error& e) {
          p.fail_file(pop.loc("file"), e);
        }
      }
    }
    if (!pop.keys.count("times") && !pop.keys.count("spikes") && !pop.keys.count("file"))
      p.fail(pop.loc("times"), "a spike_times population needs its spikes",
             "times = [...] (every source), spikes = [[t, i], ...], or file = \"spikes.csv\"");
  } else {
    f.only_for("cell", "kind", "\"cell\"");
    for (const char* k : {"times", "spikes", "file"}) f.only_for(k, "kind", "\"spike_times\"");
    if (const toml::node* n = f.get("rates")) {
      numbers(p, *n, f.key_path("rates"), "a cycle of 2 to 8 rates >= 0 [Hz], each held for rate_interval", pop.rates);
      if (f.get("rate"))
        p.fail(pop.loc("rate"), "both rate and rates are given", "rate = a constant rate [Hz], or rates = [...] (a cycle)");
      f.number("rate_interval", pop.rate_interval, need::required, "how long each rate of the cycle holds, a time >= dt [ms]");
    } else {
      f.number("rate", pop.rate, need::required, "the mean firing rate, a number >= 0 [Hz]");
      if (f.get("rate_interval"))
        p.fail(pop.loc("rate_interval"), "'rate_interval' applies only to a cycle of rates",
               "remove 'rate_interval', or give rates = [...] instead of rate");
    }
    f.number("start", pop.start, need::optional, "the time the population may start firing, a number >= 0 [ms]");
    f.number("stop", pop.stop, need::optional, "the time the population falls silent, a number > start [ms]");
  }
  f.unknown_keys();
  return pop;
}

// [projection.plasticity]: the rule and its parameters; a key of the other
// rule is an error.
plasticity_desc read_plasticity(parser& p, const toml::table& t, const std::string& path) {
  plasticity_desc d;
  d.where = p.at(t.source(), path);
  fields f(p, t, path, d);
  using R = plasticity_rule;
  const bool ok = f.choice("rule", d.rule, need::required,
                           {std::pair{"stdp", R::stdp}, std::pair{"hebbian", R::hebbian}, std::pair{"scaling", R::scaling},
                            std::pair{"bcm", R::bcm}, std::pair{"calcium", R::calcium},
                            std::pair{"dopamine_stdp", R::dopamine_stdp}});
  f.number("w_min", d.w_min, need::optional, "the lower bound of the weights, a number [the weight's unit]");
  f.number("w_max", d.w_max,
           ok && (d.rule == R::stdp || d.rule == R::calcium || d.rule == R::dopamine_stdp) ? need::required
                                                                                         : need::optional,
           "the upper bound of the weights, a number [the weight's unit]");
  // A key of some rules (up to three): read with them, an error with the others.
  const auto own = [&](const char* key, R rule, R also = R::none, R third = R::none) {
    if (!ok || d.rule == rule || (also != R::none && d.rule == also) || (third != R::none && d.rule == third))
      return true;
    std::string rules = fmt::format("\"{}\"", to_string(rule));
    if (also != R::none) rules += fmt::format("{}\"{}\"", third != R::none ? ", " : " or ", to_string(also));
    if (third != R::none) rules += fmt::format(" or \"{}\"", to_string(third));
    f.only_for(key, "rule", rules);
    return false;
  };
  if (own("pairing", R::stdp, R::dopamine_stdp))
    f.choice("pairing", d.pairing, need::optional,
             {std::pair{"all_to_all", stdp_pairing::all_to_all}, std::pair{"nearest", stdp_pairing::nearest}});
  if (own("update", R::stdp))
    f.choice("update", d.update, need::optional,
             {std::pair{"additive", stdp_update::additive}, std::pair{"multiplicative", stdp_update::multiplicative}});
  const std::string weight_unit = "[the weight's unit]";
  if (own("a_plus", R::stdp, R::dopamine_stdp)) f.number("a_plus", d.a_plus, need::required, "potentiation of a pair at dt -> 0+, a number >= 0 " + weight_unit);
  if (own("a_minus", R::stdp, R::dopamine_stdp)) f.number("a_minus", d.a_minus, need::required, "depression of a pair at dt -> 0-, a number >= 0 " + weight_unit);
  if (own("tau_plus", R::stdp, R::dopamine_stdp)) f.number("tau_plus", d.tau_plus, need::optional, "a time constant > 0 [ms]");
  if (own("tau_minus", R::stdp, R::dopamine_stdp)) f.number("tau_minus", d.tau_minus, need::optional, "a time constant > 0 [ms]");
  if (own("post_delay", R::stdp, R::calcium, R::dopamine_stdp))
    f.number("post_delay", d.post_delay, need::optional, "the dendritic delay of the postsynaptic spike, a time >= 0 [ms]");
  if (own("eta", R::hebbian, R::bcm))
    f.number("eta", d.eta, need::required,
             ok && d.rule == R::bcm ? "the learning rate, a number [weight unit/Hz3]" : "the learning rate, a number [weight unit/Hz2]");
  if (own("tau_rate", R::hebbian, R::scaling, R::bcm))
    f.number("tau_rate", d.tau_rate, need::optional, "a time constant > 0 [ms]");
  if (own("tau_theta", R::bcm)) f.number("tau_theta", d.tau_theta, need::optional, "a time constant > 0 [ms]");
  if (own("theta_rate", R::bcm))
    f.number("theta_rate", d.theta_rate, need::optional, "the rate y0 of the threshold y^2/y0, a number > 0 [Hz]");
  if (own("interval", R::hebbian, R::scaling, R::bcm))
    f.number("interval", d.interval, need::optional, "the learning interval, a time >= dt [ms]");
  if (own("target_rate", R::scaling))
    f.number("target_rate", d.target_rate, need::required, "the rate the cells are scaled towards, a number > 0 [Hz]");
  if (own("tau_scaling", R::scaling))
    f.number("tau_scaling", d.tau_scaling, need::required, "the time constant of the scaling, a number > 0 [ms]");
  if (own("oja", R::hebbian)) f.boolean("oja", d.oja, "true or false");
  const std::pair<const char*, double*> calcium_time[] = {
      {"tau_ca", &d.tau_ca}, {"tau_rho", &d.tau_rho}};
  for (const auto& [key, v] : calcium_time)
    if (own(key, R::calcium)) f.number(key, *v, need::optional, "a time constant > 0 [ms]");
  if (own("delay_pre", R::calcium))
    f.number("delay_pre", d.delay_pre, need::optional,
             "the delay D of the presynaptic calcium transient after the arrival, a time >= 0 [ms]");
  const std::pair<const char*, double*> calcium_amount[] = {{"c_pre", &d.c_pre},     {"c_post", &d.c_post},
                                                            {"theta_d", &d.theta_d}, {"theta_p", &d.theta_p},
                                                            {"gamma_d", &d.gamma_d}, {"gamma_p", &d.gamma_p}};
  for (const auto& [key, v] : calcium_amount)
    if (own(key, R::calcium)) f.number(key, *v, need::optional, "a number [1] (calcium relative to the thresholds' scale)");
  if (own("modulator", R::dopamine_stdp))
    f.text("modulator", d.modulator, need::required, "the name of the population whose spikes release dopamine");
  if (own("tau_c", R::dopamine_stdp)) f.number("tau_c", d.tau_c, need::optional, "a time constant > 0 [ms]");
  if (own("tau_d", R::dopamine_stdp)) f.number("tau_d", d.tau_d, need::optional, "a time constant > 0 [ms]");
  if (own("d_spike", R::dopamine_stdp))
    f.number("d_spike", d.d_spike, need::optional, "the dopamine a modulator spike releases, a concentration >= 0 [uM]");
  if (own("d_tonic", R::dopamine_stdp))
    f.number("d_tonic", d.d_tonic, need::optional, "the tonic dopamine level, a concentration >= 0 [uM]");
  f.unknown_keys();
  return d;
}

// [projection.terminal]: the presynaptic terminals' model and its
// parameters; a key of the other model is an error.
terminal_desc read_terminal(parser& p, const toml::table& t, const std::string& path) {
  terminal_desc d;
  d.where = p.at(t.source(), path);
  fields f(p, t, path, d);
  using K = terminal_kind;
  const bool ok = f.choice("model", d.model, need::required,
                           {std::pair{"tsodyks_markram", K::tsodyks_markram}, std::pair{"quantal", K::quantal}});
  const auto own = [&](const char* key, K model) {
    if (!ok || d.model == model) return true;
    f.only_for(key, "model", fmt::format("\"{}\"", to_string(model)));
    return false;
  };
  f.number("tau_rec", d.tau_rec, need::optional, "a time constant > 0 [ms]");
  if (own("u", K::tsodyks_markram)) f.number("u", d.u, need::optional, "the utilisation U, a number in (0, 1] [1]");
  if (own("tau_facil", K::tsodyks_markram))
    f.number("tau_facil", d.tau_facil, need::optional, "a time constant >= 0 [ms] (0: no facilitation)");
  if (own("sites", K::quantal)) f.integer("sites", d.sites, need::optional, "the number of release sites, an integer >= 1");
  if (own("ca_rest", K::quantal)) f.number("ca_rest", d.ca_rest, need::optional, "a concentration >= 0 [mM]");
  if (own("influx", K::quantal))
    f.choice("influx", d.hh_influx, need::optional, {std::pair{"fixed", false}, std::pair{"hh", true}});
  if (own("ca_jump", K::quantal)) {
    if (d.hh_influx) f.only_for("ca_jump", "influx", "\"fixed\"");
    else f.number("ca_jump", d.ca_jump, need::optional, "a concentration >= 0 [mM]");
  }
  auto& ch = d.channel;
  const std::tuple<const char*, double*, const char*> channel_keys[] = {
      {"v_rest", &ch.v_rest, "the terminal's resting potential [mV]"},
      {"v_peak", &ch.v_peak, "the action potential's peak [mV]"},
      {"ap_width", &ch.ap_width, "the action potential's half-width, a time > 0 [ms]"},
      {"g_ca", &ch.g_ca, "the Ca2+ channels' conductance, a number >= 0 [uS]"},
      {"e_ca", &ch.e_ca, "the Ca2+ reversal potential [mV]"},
      {"v_half", &ch.v_half, "the activation's midpoint [mV]"},
      {"v_slope", &ch.k, "the activation's slope factor, a number > 0 [mV]"},
      {"tau_m", &ch.tau_m, "the activation's time constant, a time > 0 [ms]"},
      {"m_power", &ch.p, "the activation's exponent, a number > 0 [1]"},
      {"beta", &ch.beta, "Ca2+ per charge, a number >= 0 [mM/(nA*ms)]"}};
  for (const auto& [key, v, valid] : channel_keys)
    if (own(key, K::quantal)) {
      if (!d.hh_influx) f.only_for(key, "influx", "\"hh\"");
      else f.number(key, *v, need::optional, valid);
    }
  if (own("tau_ca", K::quantal)) f.number("tau_ca", d.tau_ca, need::optional, "a time constant > 0 [ms]");
  if (own("probability", K::quantal))
    f.choice("probability", d.curve, need::optional,
             {std::pair{"hill", release_curve::hill}, std::pair{"sigmoid", release_curve::sigmoid},
              std::pair{"threshold", release_curve::threshold}});
  if (own("n", K::quantal)) f.number("n", d.hill_n, need::optional, "the Hill coefficient, a number > 0 [1]");
  if (own("k_d", K::quantal)) f.number("k_d", d.k_d, need::optional, "a concentration > 0 [mM]");
  if (own("slope", K::quantal)) f.number("slope", d.slope, need::optional, "a concentration > 0 [mM]");
  f.unknown_keys();
  return d;
}

// [projection.cleft]: the clefts' transmitter clearance and the
// connections' receptor model; a key of another model is an error.
cleft_desc read_cleft(parser& p, const toml::table& t, const std::string& path) {
  cleft_desc d;
  d.where = p.at(t.source(), path);
  fields f(p, t, path, d);
  using K = cleft_kind;
  const bool ok = f.choice("model", d.model, need::required,
                           {std::pair{"ionotropic", K::ionotropic}, std::pair{"metabotropic", K::metabotropic},
                            std::pair{"kinetic", K::kinetic}});
  const auto own = [&](const char* key, K model) {
    if (!ok || d.model == model) return true;
    f.only_for(key, "model", fmt::format("\"{}\"", to_string(model)));
    return false;
  };
  f.number("quantum", d.quantum, need::optional, "the transmitter one vesicle adds, a concentration > 0 [mM]");
  f.number("vmax", d.vmax, need::optional, "the reuptake's maximal rate, a number >= 0 [mM/ms]");
  f.number("km", d.km, need::optional, "the reuptake's Michaelis-Menten constant, a concentration > 0 [mM]");
  f.number("k_deg", d.k_deg, need::optional, "the degradation rate, a number >= 0 [1/ms]");
  if (own("kd", K::ionotropic)) f.number("kd", d.kd, need::optional, "a concentration > 0 [mM]");
  if (own("nt_half", K::metabotropic)) f.number("nt_half", d.nt_half, need::optional, "a concentration >= 0 [mM]");
  if (own("slope", K::metabotropic)) f.number("slope", d.slope, need::optional, "a concentration > 0 [mM]");
  if (own("alpha", K::kinetic)) f.number("alpha", d.alpha, need::optional, "a binding rate > 0 [1/(mM*ms)]");
  if (own("beta", K::kinetic)) f.number("beta", d.beta, need::optional, "an unbinding rate > 0 [1/ms]");
  f.unknown_keys();
  return d;
}

// A list rule's pairs: [pre, post], or with each connection's weight
// [pre, post, weight] and delay [pre, post, weight, delay], every pair the
// same length (PyNN's FromListConnector's rows).
void read_list_pairs(parser& p, const toml::node& n, const std::string& path, const std::string& valid,
                     projection_desc& pr) {
  const auto* a = n.as_array();
  if (!a) {
    p.fail(p.at(n.source(), path), "expected an array of pairs, got " + type_name(n), valid);
    return;
  }
  std::size_t width = 0;
  for (std::size_t k = 0; k < a->size(); ++k) {
    const std::string ep = fmt::format("{}[{}]", path, k);
    const auto* e = (*a)[k].as_array();
    if (!e || e->size() < 2 || e->size() > 4) {
      p.fail(p.at((*a)[k].source(), ep),
             e ? fmt::format("expected 2 to 4 values, got {}", e->size()) : "expected an array, got " + type_name((*a)[k]),
             valid);
      continue;
    }
    if (width == 0) width = e->size();
    if (e->size() != width) {
      p.fail(p.at((*a)[k].source(), ep), fmt::format("{} values, where pairs[0] has {}", e->size(), width),
             "every pair the same length");
      continue;
    }
    auto x = p.integer((*e)[0], ep + "[0]", valid);
    auto y = p.integer((*e)[1], ep + "[1]", valid);
    std::optional<double> w, d;
    if (width >= 3) w = p.number((*e)[2], ep + "[2]", valid);
    if (width == 4) d = p.number((*e)[3], ep + "[3]", valid);
    if (!x || !y || (width >= 3 && !w) || (width == 4 && !d)) continue;
    pr.pairs.emplace_back(*x, *y);
    if (w) pr.pair_weight.push_back(*w);
    if (d) pr.pair_delay.push_back(*d);
  }
}

projection_desc read_projection(parser& p, const toml::table& t, std::size_t i) {
  projection_desc pr;
  // Named by `name`, or by the default name "pre->post".
  std::string path = fmt::format("projection[{}]", i);
  if (auto s = t["name"].value<std::string>())
    path += " '" + *s + "'";
  else if (auto pre = t["pre"].value<std::string>(), post = t["post"].value<std::string>(); pre && post)
    path += " '" + *pre + "->" + *post + "'";
  pr.where = p.at(t.source(), path);
  fields f(p, t, path, pr);
  const bool has_name = f.text("name", pr.name, need::optional, "the projection's name, a string");
  f.text("pre", pr.pre, need::required, "the name of the source population");
  f.text("post", pr.post, need::required, "the name of the target population (of kind \"cell\")");
  if (!has_name) pr.name = pr.label();
  f.text("receptor", pr.receptor, need::required, "the name of a receptor of the target's cell type");
  using R = connect_rule;
  const bool rule_ok = f.choice("rule", pr.rule, need::required,
                                {std::pair{"all_to_all", R::all_to_all}, std::pair{"one_to_one", R::one_to_one},
                                 std::pair{"fixed_probability", R::fixed_probability},
                                 std::pair{"fixed_indegree", R::fixed_indegree},
                                 std::pair{"fixed_total_number", R::fixed_total_number}, std::pair{"list", R::list}});
  // A rule's own key: required with its rule, an error with any other (and
  // then not read). When the rule itself is wrong, keys are only read.
  const auto rule_key = [&](const char* key, R rule) -> std::optional<need> {
    if (!rule_ok) return need::optional;
    if (pr.rule == rule) return need::required;
    f.only_for(key, "rule", fmt::format("\"{}\"", to_string(rule)));
    return std::nullopt;
  };
  if (auto r = rule_key("probability", R::fixed_probability))
    f.number("probability", pr.probability, *r, "a probability between 0 and 1");
  if (auto r = rule_key("indegree", R::fixed_indegree))
    f.integer("indegree", pr.indegree, *r, "the number of sources per target cell, an integer >= 0");
  if (auto r = rule_key("total", R::fixed_total_number))
    f.integer("total", pr.total, *r, "the number of connections of the whole projection, an integer >= 0");
  // multapses: fixed_indegree's choice; fixed_total_number always draws with
  // replacement (NEST's fixed_total_number default, Potjans & Diesmann 2014),
  // so there it may only be written true.
  if (rule_ok && pr.rule == R::fixed_total_number) {
    pr.multapses = true;
    f.boolean("multapses", pr.multapses, "true (fixed_total_number draws with replacement)");
  } else if (rule_key("multapses", R::fixed_indegree)) {
    f.boolean("multapses", pr.multapses, "true or false");
  }
  if (auto r = rule_key("pairs", R::list)) {
    const std::string valid =
        "an array of [pre index, post index] pairs of integers, each followed by its weight [uS or nA] and delay [ms] "
        "if the pairs give them (every pair the same)";
    if (const toml::node* n = f.get("pairs", *r, valid)) read_list_pairs(p, *n, f.key_path("pairs"), valid, pr);
  }
  f.boolean("autapses", pr.autapses, "true or false");
  // Pairs that give their weights (delays) leave no weight (delay) to give.
  const bool listed_w = !pr.pair_weight.empty(), listed_d = !pr.pair_delay.empty();
  if (listed_w && f.get("weight"))
    p.fail(pr.loc("weight"), "the pairs give each connection's weight", "either weight or weights in the pairs");
  else if (!listed_w)
    f.dist("weight", pr.weight, need::required, "a number or a distribution table [uS]");
  if (listed_d && f.get("delay"))
    p.fail(pr.loc("delay"), "the pairs give each connection's delay", "either delay or delays in the pairs");
  else if (!listed_d)
    f.dist("delay", pr.delay, need::optional, "a number or a distribution table [ms]");
  if (const toml::node* n = f.get("plasticity"))
    if (const toml::table* pt = p.table(*n, path + ".plasticity", "a table: rule = \"stdp\", \"hebbian\", \"scaling\", \"bcm\", \"calcium\" or \"dopamine_stdp\" and its parameters"))
      pr.plasticity = read_plasticity(p, *pt, path + ".plasticity");
  if (const toml::node* n = f.get("terminal"))
    if (const toml::table* tt = p.table(*n, path + ".terminal", "a table: model = \"tsodyks_markram\" or \"quantal\" and its parameters"))
      pr.terminal = read_terminal(p, *tt, path + ".terminal");
  if (const toml::node* n = f.get("cleft"))
    if (const toml::table* ct = p.table(*n, path + ".cleft",
                                        "a table: model = \"ionotropic\", \"metabotropic\" or \"kinetic\" and its parameters"))
      pr.cleft = read_cleft(p, *ct, path + ".cleft");
  f.unknown_keys();
  return pr;
}

stimulus_desc read_stimulus(parser& p, const toml::table& t, std::size_t i) {
  stimulus_desc s;
  const std::string path = fmt::format("stimulus[{}]", i);
  s.where = p.at(t.source(), path);
  fields f(p, t, path, s);
  enum class stim_kind { dc } kind = stim_kind::dc;
  f.choice("kind", kind, need::optional, {std::pair{"dc", stim_kind::dc}});
  f.text("population", s.population, need::required, "the name of a cell population");
  f.integers("cells", s.cells, "an array of cell indices, integers");
  f.location("location", s.location);
  const std::string amp_valid = "a number, or an array with one number per entry of cells [nA]";
  if (const toml::node* n = f.get("amp", need::required, amp_valid)) {
    const std::string ap = f.key_path("amp");
    if (const auto* a = n->as_array()) {
      for (std::size_t k = 0; k < a->size(); ++k)
        if (auto x = p.number((*a)[k], fmt::format("{}[{}]", ap, k), amp_valid)) s.amp.push_back(*x);
    } else if (n->is_number()) {
      if (auto x = p.number(*n, ap, amp_valid)) s.amp.push_back(*x);
    } else {
      p.fail(p.at(n->source(), ap), "expected a number or an array of numbers, got " + type_name(*n), amp_valid);
    }
  }
  f.number("start", s.start, need::optional, "the time the current starts, a number >= 0 [ms]");
  f.number("stop", s.stop, need::optional, "the time the current stops, a number > start [ms]");
  f.unknown_keys();
  return s;
}

gap_desc read_gap(parser& p, const toml::table& t, std::size_t i) {
  gap_desc g;
  const std::string path = fmt::format("gap_junction[{}]", i);
  g.where = p.at(t.source(), path);
  fields f(p, t, path, g);
  f.text("a", g.a, need::required, "the population of the first cells");
  f.text("b", g.b, need::required, "the population of the second cells (may be a)");
  const std::string valid = "an array of [index in a, index in b] pairs of integers";
  if (const toml::node* n = f.get("pairs", need::required, valid))
    g.pairs = p.pairs(*n, f.key_path("pairs"), valid, &parser::integer, &parser::integer);
  f.location("at_a", g.at_a);
  f.location("at_b", g.at_b);
  f.number("g", g.g, need::required, "the junction's conductance, a number >= 0 [uS]");
  f.unknown_keys();
  return g;
}

measure_desc read_measure(parser& p, const toml::table& t, std::size_t i) {
  measure_desc m;
  const std::string path = named(fmt::format("measure[{}]", i), t);
  m.where = p.at(t.source(), path);
  fields f(p, t, path, m);
  f.text("name", m.name, need::required, "the measurement's name, a string");
  enum class measure_kind { velocity } kind = measure_kind::velocity;
  f.choice("kind", kind, need::optional, {std::pair{"velocity", measure_kind::velocity}});
  f.text("population", m.population, need::required, "a population of cable cells");
  f.integer("cell", m.cell, need::optional, "the index of the cell measured, an integer >= 0");
  f.location("from", m.from, need::required);
  f.location("to", m.to, need::required);
  f.number("threshold", m.threshold, need::optional, "the voltage whose upward crossing times the spike [mV]");
  f.unknown_keys();
  return m;
}

record_desc read_record(parser& p, const toml::table& t, std::size_t i) {
  record_desc r;
  const std::string path = fmt::format("record[{}]", i);
  r.where = p.at(t.source(), path);
  fields f(p, t, path, r);
  const bool of_projection = t.contains("projection");
  if (of_projection) {
    f.text("projection", r.projection, need::required, "the name of a plastic projection");
    f.text("variable", r.variable, need::required, "\"weight\", \"weight_histogram\" or \"weights\"");
    if (const toml::node* n = f.get("connections")) {
      const std::string valid = "an array of [pre index, post index] pairs of integers";
      r.connections = p.pairs(*n, f.key_path("connections"), valid, &parser::integer, &parser::integer);
    }
    f.integer("bins", r.bins, need::optional, "the number of bins, an integer >= 1");
    f.number("interval", r.interval, need::optional, "the sampling interval, a number >= dt [ms], or 0 for every step");
    f.unknown_keys();
    return r;
  }
  f.text("population", r.population, need::required, "the name of a population (or `projection`, for weights)");
  f.text("variable", r.variable, need::required,
         "\"spikes\", \"v\", \"cai\", \"<mechanism>.<state>\", \"<receptor>.<state>\", \"<receptor>.g\" or "
         "\"<receptor>.i\"");
  f.integers("cells", r.cells, "an array of cell indices, integers");
  f.location("location", r.location);
  f.text("along", r.along, need::optional, "a section of the cell: every node along it is recorded");
  f.number("interval", r.interval, need::optional, "the sampling interval, a number >= dt [ms], or 0 for every step");
  f.unknown_keys();
  return r;
}

}  // namespace

network parse_model(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw model_error(fmt::format("{}:{}:{}: TOML syntax error: {}", source_name, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }

  network net = parse_model(root, source_name);
  net.text = std::string(text);
  return net;
}

network parse_model(const toml::table& root, const std::string& source_name) {
  parser p(source_name);
  network net;
  net.source = source_name;
  read_simulation(p, root, net.sim);
  for (auto&& [k, v] : root) {
    const std::string key(k.str());
    if (key == "simulation") continue;
    if (key == "cell") {
      if (const toml::table* cells = p.table(v, "cell", "cell types, one [cell.NAME] table each"))
        for (auto&& [name, ct] : *cells) {
          const std::string cpath = "cell." + std::string(name.str());
          if (const toml::table* t = p.table(ct, cpath, "a [" + cpath + "] table"))
            net.cells.push_back(read_cell(p, std::string(name.str()), *t));
        }
    } else if (key == "population" || key == "projection" || key == "stimulus" || key == "record" ||
               key == "gap_junction" || key == "measure") {
      const auto ts = p.tables(v, key);
      for (std::size_t i = 0; i < ts.size(); ++i) {
        if (!ts[i]) continue;
        if (key == "population") net.populations.push_back(read_population(p, *ts[i], i));
        if (key == "projection") net.projections.push_back(read_projection(p, *ts[i], i));
        if (key == "stimulus") net.stimuli.push_back(read_stimulus(p, *ts[i], i));
        if (key == "record") net.records.push_back(read_record(p, *ts[i], i));
        if (key == "gap_junction") net.gaps.push_back(read_gap(p, *ts[i], i));
        if (key == "measure") net.measures.push_back(read_measure(p, *ts[i], i));
      }
    } else {
      p.fail(p.at(k.source(), key), fmt::format("unknown key '{}'", key),
             "simulation, cell, population, projection, stimulus, record, gap_junction, measure");
    }
  }
  p.throw_if_failed();
  return net;
}

network load_model_file(const std::string& path) { return parse_model(read_text_file(path, "model file"), path); }

}  // namespace ranvier
