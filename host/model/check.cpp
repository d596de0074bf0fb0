// The semantic checks of a network description. Every problem is collected
// before one model_error is thrown, so that a user fixes a file in one pass
// rather than one error per run.
#include "host/model/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/cell.hpp"
#include "core/generators.hpp"
#include "core/synapses/terminal.hpp"
#include "core/fixed_point.hpp"
#include "host/build/builders.hpp"
#include "host/build/morphology.hpp"
#include "host/errors.hpp"
#include "host/model/mechanisms.hpp"
#include "host/problems.hpp"

namespace ranvier {

std::string show_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", x);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

namespace {

// The most steps a run may take: 2^53, where the step count is still exact
// in a double (times are step·dt).
constexpr double max_steps = 9007199254740992.0;

}  // namespace

namespace {

using fmt::format;
constexpr auto num = show_number;

// What makes a name unfit to be part of a file name or a CSV field (the
// outputs are POPULATION.VARIABLE.csv, PROJECTION.weight.csv, spikes.csv's
// population column), or "" if nothing does.
std::string name_flaw(const std::string& name) {
  for (const char ch : name) {
    if (ch == '/' || ch == '\\' || ch == ',' || ch == '"') return format("contains '{}'", ch);
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return "contains a control character";
  }
  if (!name.empty() && name.front() == '.') return "starts with '.'";
  return "";
}
constexpr const char* name_rule =
    "a name without '/', '\\', ',', '\"', control characters or a leading '.' (names become parts of file names and "
    "CSV fields)";

// Larger populations would overflow the 32-bit cell indices of the engines.
constexpr std::int64_t max_population_size = (std::int64_t{1} << 31) - 1;

// Given spike times a population may hold (each is 12 bytes in the image).
constexpr std::int64_t max_given_spikes = 1'000'000'000;

// Bad pairs or cell indices are reported up to this many per element; a
// generated list with a million bad entries needs one line, not a million.
constexpr int max_reported_items = 5;

bool finite(double x) { return std::isfinite(x); }

// The problems of one list (pairs, cell indices, spikes): the first
// max_reported_items each on its own line, the rest counted in one more.
class capped {
 public:
  explicit capped(problem_list& r) : r_(r) {}
  void add(const source_loc& where, const std::string& what, const std::string& valid) {
    if (n_++ < max_reported_items) r_.add(where, what, valid);
    last_ = where;
    last_valid_ = valid;
  }
  // `items`: what the list holds, plural ("pairs").
  void finish(const std::string& items) {
    if (n_ > max_reported_items)
      r_.add(last_, fmt::format("{} more {} are wrong", n_ - max_reported_items, items), last_valid_);
  }

 private:
  problem_list& r_;
  int n_ = 0;
  source_loc last_;
  std::string last_valid_;
};

// Where key `key` of element `e` is written. An element built in C++, or one
// that is a default (a projection's delay), has no location of its own; then
// `fallback`, what the model file would call it, stands in.
source_loc at(const located& e, const source_loc& fallback, const std::string& key = {}) {
  if (!key.empty())
    if (auto it = e.keys.find(key); it != e.keys.end()) return it->second;
  source_loc l = e.where.key.empty() ? fallback : e.where;
  if (!key.empty()) l.key += "." + key;
  return l;
}

source_loc path(std::string key) { return {"", 0, 0, std::move(key)}; }

template <class C, class F>
std::string join(const C& items, F name) {
  std::string s;
  for (const auto& x : items) s += (s.empty() ? "" : ", ") + name(x);
  return s;
}

std::string population_list(const network& net) {
  if (net.populations.empty()) return "no population is defined; add a [[population]]";
  return join(net.populations, [](const population_desc& p) { return "'" + p.name + "'"; });
}

std::string cell_population_list(const network& net) {
  std::string s;
  for (const auto& p : net.populations)
    if (p.kind == population_kind::cell) s += (s.empty() ? "'" : ", '") + p.name + "'";
  return s.empty() ? "a population of kind \"cell\" (none is defined)" : "a population of kind \"cell\": " + s;
}

// The probability that a draw of the unclipped distribution falls inside
// [low, high]; each value is redrawn until it does.
double kept_fraction(const distribution& d) {
  const auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  if (d.type == distribution::kind::normal) return phi((d.high - d.mean) / d.sd) - phi((d.low - d.mean) / d.sd);
  const double lo = d.low > 0.0 ? std::log(d.low) : -infinity;
  const double hi = d.high > 0.0 ? std::log(d.high) : -infinity;
  return phi((hi - d.mu) / d.sigma) - phi((lo - d.mu) / d.sigma);
}

// Whether values can be drawn from `d` at all; `fallback` names it.
bool check_distribution(problem_list& r, const distribution& d, const source_loc& fallback, const char* unit) {
  const auto loc = [&](const char* key) { return at(d, fallback, key); };
  bool ok = true;
  const auto bad = [&](const source_loc& l, const std::string& what, const std::string& valid) {
    r.add(l, what, valid);
    ok = false;
  };
  const auto need_finite = [&](const char* key, double x) {
    if (!finite(x)) bad(loc(key), format("{} is not a finite number", num(x)), format("a finite number [{}]", unit));
  };
  const auto need_positive = [&](const char* key, double x) {
    if (!finite(x) || !(x > 0.0)) bad(loc(key), format("{} = {} is not positive", key, num(x)), "a finite number > 0");
  };
  const auto need_bounds = [&](bool both_finite) {
    if (std::isnan(d.low)) bad(loc("low"), "low is nan", format("a number [{}]", unit));
    if (std::isnan(d.high)) bad(loc("high"), "high is nan", format("a number [{}]", unit));
    if (both_finite) {
      need_finite("low", d.low);
      need_finite("high", d.high);
    }
    if (ok && !(d.low < d.high))
      bad(loc("high"), format("low = {} is not below high = {}", num(d.low), num(d.high)), "low < high");
  };
  switch (d.type) {
    case distribution::kind::constant:
      if (!finite(d.value)) bad(at(d, fallback), format("{} is not a finite number", num(d.value)), format("a finite number [{}]", unit));
      break;
    case distribution::kind::uniform:
      need_bounds(true);
      break;
    case distribution::kind::normal:
      need_finite("mean", d.mean);
      need_positive("sd", d.sd);
      need_bounds(false);
      break;
    case distribution::kind::lognormal:
      need_finite("mu", d.mu);
      need_positive("sigma", d.sigma);
      need_bounds(false);
      break;
  }
  if (ok && (d.type == distribution::kind::normal || d.type == distribution::kind::lognormal)) {
    // Clip bounds far in a tail would make the builder redraw (nearly) forever.
    const double kept = kept_fraction(d);
    if (!(kept >= 1e-3))
      bad(at(d, fallback), format("only a fraction {:.2g} of draws fall within [{}, {}]", kept, num(d.low), num(d.high)),
          "bounds that keep at least 0.1% of the draws (values outside are redrawn)");
  }
  return ok;
}

// A value beyond its limit, said of a constant ("-0.01 uS is negative") or of
// the draws of a distribution ("draws reach -inf uS, which is negative").
std::string breach(const distribution& d, bool low, const std::string& unit, const std::string& why) {
  const std::string u = unit.empty() || unit == "1" ? "" : " " + unit;
  if (d.is_constant()) return format("{}{} {}", num(d.value), u, why);
  return format("draws reach {}{}, which {}", num(low ? d.min_value() : d.max_value()), u, why);
}
// The key of a distribution that sets its lowest (highest) value.
source_loc low_loc(const distribution& d, const source_loc& fallback) {
  return at(d, fallback, d.keys.count("low") ? "low" : "");
}
source_loc high_loc(const distribution& d, const source_loc& fallback) {
  return at(d, fallback, d.keys.count("high") ? "high" : "");
}
std::string bound_hint(const distribution& d, const char* key) {
  return d.is_constant() ? "" : format(" (the distribution's `{}` bounds its draws)", key);
}

class checker {
 public:
  explicit checker(const network& net) : net_(net) {}

  void run() {
    simulation();
    std::set<std::string> cell_names;
    for (const auto& c : net_.cells) {
      if (!cell_names.insert(c.name).second)
        r_.add(at(c, path("cell." + c.name)), format("cell type '{}' is defined twice", c.name), "unique cell type names");
      cell(c);
    }
    std::map<std::string, std::size_t> pop_names;
    for (std::size_t i = 0; i < net_.populations.size(); ++i) population(i, pop_names);
    // Every cell and source has a 32-bit gid: the sizes summed, reported at
    // the population that crosses 2^32 − 1.
    std::uint64_t cells = 0;
    for (std::size_t i = 0; i < net_.populations.size(); ++i) {
      const auto& p = net_.populations[i];
      if (p.size <= 0 || p.size > max_population_size) continue;
      cells += static_cast<std::uint64_t>(p.size);
      if (cells > 4294967295ULL) {
        r_.add(at(p, path(format("population[{}] '{}'", i, p.name)), "size"),
               format("the populations up to this one have {} cells and sources in all", cells),
               "at most 4294967295 cells and sources in a network");
        break;
      }
    }
    std::map<std::string, std::size_t> proj_names;
    for (std::size_t i = 0; i < net_.projections.size(); ++i) projection(i, proj_names);
    stimuli();
    for (std::size_t i = 0; i < net_.records.size(); ++i) record(i);
    for (std::size_t i = 0; i < net_.gaps.size(); ++i) gap(i);
    for (std::size_t i = 0; i < net_.measures.size(); ++i) measure(i);
    r_.throw_if_any();
  }

 private:
  const network& net_;
  problem_list r_;
  bool dt_ok_ = false;  // whether dt can be compared with

  std::string dt_text() const { return format("dt = {} ms", num(net_.sim.dt)); }

  void positive(const source_loc& l, double x, const char* unit, const std::string& valid) {
    if (!finite(x))
      r_.add(l, format("{} is not a finite number", num(x)), valid);
    else if (!(x > 0.0))
      r_.add(l, format("{} {} is not positive", num(x), unit), valid);
  }
  void need_finite(const source_loc& l, double x, const std::string& valid) {
    if (!finite(x)) r_.add(l, format("{} is not a finite number", num(x)), valid);
  }
  // A [start, stop) window: start >= 0, stop > start (stop may be infinite: never stops).
  void window(const located& e, const source_loc& fb, double start, double stop) {
    if (!finite(start) || !(start >= 0.0))
      r_.add(at(e, fb, "start"), format("start = {} ms is not a time >= 0", num(start)), "a number >= 0 [ms]");
    else if (!(stop > start))
      r_.add(at(e, fb, "stop"), format("stop = {} ms is not after start = {} ms", num(stop), num(start)),
             "a time > start [ms], or leave stop out for never");
  }

  void simulation() {
    const auto& s = net_.sim;
    const source_loc fb = path("simulation");
    positive(at(s, fb, "dt"), s.dt, "ms", "a time step > 0 [ms], e.g. 0.025");
    dt_ok_ = finite(s.dt) && s.dt > 0.0;
    if (!finite(s.duration))
      r_.add(at(s, fb, "duration"), format("{} is not a finite number", num(s.duration)), "a finite time >= dt [ms]");
    else if (dt_ok_ && !(s.duration >= s.dt))
      r_.add(at(s, fb, "duration"), format("{} ms is shorter than one step ({})", num(s.duration), dt_text()),
             format("a duration of at least {}", dt_text()));
    else if (dt_ok_ && !(s.duration / s.dt <= max_steps))
      r_.add(at(s, fb, "duration"), format("{} ms is {} steps of {}", num(s.duration), num(s.duration / s.dt), dt_text()),
             format("at most 2^53 = {} steps ({} ms at this dt)", num(max_steps), num(max_steps * s.dt)));
    if (s.secondorder != 0 && s.secondorder != 2)
      r_.add(at(s, fb, "secondorder"), format("secondorder = {}", s.secondorder),
             "0 (implicit Euler, first order) or 2 (Crank-Nicolson, second order), as NEURON's");
    if (!finite(s.celsius) || !(s.celsius > -273.15) || !(s.celsius <= 100.0))
      r_.add(at(s, fb, "celsius"), format("{} degC is outside (-273.15, 100]", num(s.celsius)),
             "a temperature above absolute zero and at most 100 [degC]");
    const auto& b = s.v_bounds;
    if (b.size() != 2 || !finite(b[0]) || !finite(b[1]) || !(b[0] < b[1]))
      r_.add(at(s, fb, "v_bounds"), format("v_bounds has {} value{}{}", b.size(), b.size() == 1 ? "" : "s",
                                           b.size() == 2 ? format(", [{}, {}]", num(b[0]), num(b[1])) : ""),
             "[lowest, highest]: two finite voltages, the first below the second [mV], e.g. [-1000.0, 1000.0]");
  }

  // Whether some mechanism of the cell type reads or writes [Ca²⁺]i.
  static bool has_cai(const cell_desc& c) {
    for (const auto& m : c.mechanisms)
      if (const auto* info = find_mechanism(m.kind); info && (info->uses_cai || info->writes_cai)) return true;
    return false;
  }

  // The variables a cell type can initialise (its states) or, with
  // for_record, also record (a receptor's conductance g and current i),
  // besides "spikes".
  static std::vector<std::string> cell_variables(const cell_desc& c, bool for_record = false) {
    std::vector<std::string> vars{"v"};
    if (has_cai(c)) vars.push_back("cai");
    if (const auto* info = c.is_model() ? find_neuron_model(c.model) : nullptr)
      for (const char* s : info->states) vars.push_back(s);
    for (const auto& m : c.mechanisms)
      if (const auto* info = find_mechanism(m.kind))
        for (const char* s : info->states) vars.push_back(m.label() + "." + s);
    for (const auto& rc : c.receptors)
      if (const auto* info = find_receptor(rc.kind)) {
        for (const char* s : info->states) vars.push_back(rc.name + "." + s);
        if (for_record) {
          for (const char* s : {"g", "i"})
            if (!contains(vars, rc.name + "." + s)) vars.push_back(rc.name + "." + s);
          if (info->ca_fraction) vars.push_back(rc.name + ".ica");
        }
      }
    return vars;
  }
  static bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  static std::string quoted(const std::vector<std::string>& v) {
    return join(v, [](const std::string& s) { return "\"" + s + "\""; });
  }

  void cell(const cell_desc& c) {
    const source_loc fb = path("cell." + c.name);
    const std::size_t problems_before = r_.size();
    if (c.name.empty()) r_.add(at(c, fb), "a cell type has an empty name", "a non-empty name");
    if (c.is_model())
      model_shape(c, fb);
    else if (c.is_cable())
      cable_shape(c, fb);
    else
      point_shape(c, fb);
    positive(at(c, fb, "cm"), c.cm, "uF/cm2", "a specific capacitance > 0 [uF/cm2]");
    need_finite(at(c, fb, "threshold"), c.threshold, "a finite threshold [mV]");
    if (!finite(c.refractory) || !(c.refractory >= 0.0))
      r_.add(at(c, fb, "refractory"), format("{} ms is not a time >= 0", num(c.refractory)),
             "a dead time >= 0 [ms] (0: every crossing is a spike)");

    if (c.mechanisms.size() > static_cast<std::size_t>(core::max_mechs))
      r_.add(at(c, fb, "mechanism"), format("{} mechanisms", c.mechanisms.size()),
             format("at most {} mechanisms per cell type", core::max_mechs));
    if (c.receptors.size() > static_cast<std::size_t>(core::max_receptors))
      r_.add(at(c, fb, "receptor"), format("{} receptors", c.receptors.size()),
             format("at most {} receptors per cell type", core::max_receptors));

    // Mechanisms and receptors share one namespace: "x.m" and "x.g" in init
    // and record must name one thing.
    std::map<std::string, std::string> names;  // name -> key path of the element that took it
    const auto name_ok = [&](const std::string& name, const source_loc& l, const std::string& element) {
      if (name.empty()) {
        r_.add(l, "the name is empty", "a non-empty name");
      } else if (name.find('.') != std::string::npos) {
        r_.add(l, format("the name '{}' contains a '.'", name), "a name without '.' (records and init use '.' to name a state)");
      } else if (const std::string flaw = name_flaw(name); !flaw.empty()) {
        r_.add(l, format("the name '{}' {}", name, flaw), name_rule);
      } else if (auto [it, fresh] = names.emplace(name, element); !fresh) {
        r_.add(l, format("the name '{}' is already used by {}", name, it->second),
               "names unique among the mechanisms and receptors of a cell type");
      }
    };

    for (std::size_t i = 0; i < c.mechanisms.size(); ++i) {
      const auto& m = c.mechanisms[i];
      const std::string& name = m.label();
      std::string p = format("{}.mechanism[{}]", fb.key, i);
      if (name != m.kind) p += " '" + name + "'";
      const source_loc mfb = path(p);
      const auto* info = find_mechanism(m.kind);
      if (!info) {
        r_.add(at(m, mfb, "kind"), format("unknown mechanism kind '{}'", m.kind), mechanism_kind_list());
      } else {
        for (const auto& [param, value] : m.params) {
          if (!info->param(param))
            r_.add(at(m, mfb, param), format("'{}' is not a parameter of {}", param, m.kind), info->param_list());
          else if (!finite(value.value))
            need_finite(at(m, mfb, param), value.value, "a finite number");
          else if (std::string_view(info->param(param)->unit) == "S/cm2" && value.is_constant() && value.value < 0.0)
            r_.add(at(m, mfb, param), format("{} = {} S/cm2 is a negative conductance", param, num(value.value)),
                   format("a conductance density >= 0 [S/cm2] ({})", info->param(param)->doc));
        }
      }
      name_ok(name, at(m, mfb, m.name.empty() ? "" : "name"), at(m, mfb).key);
    }

    for (std::size_t i = 0; i < c.receptors.size(); ++i) {
      const auto& rc = c.receptors[i];
      const source_loc rfb = path(format("{}.receptor[{}] '{}'", fb.key, i, rc.name));
      name_ok(rc.name, at(rc, rfb, "name"), at(rc, rfb).key);
      const kind_info* info = find_receptor(rc.kind);
      if (!info) {
        r_.add(at(rc, rfb, "kind"), format("unknown receptor kind '{}'", rc.kind), receptor_kind_list());
        continue;
      }
      for (const auto& [param, value] : rc.params) {
        const core::param_spec* ps = info->param(param);
        if (!ps)
          r_.add(at(rc, rfb, param), format("'{}' is not a parameter of {}", param, rc.kind), info->param_list());
        else if (std::string_view(ps->unit) == "ms" || std::string_view(ps->unit) == "1/ms" ||
                 std::string_view(ps->unit) == "uM4" || std::string_view(ps->unit) == "count")
          positive(at(rc, rfb, param), value, ps->unit, format("a number > 0 [{}] ({})", ps->unit, ps->doc));
        else if (std::string_view(ps->unit) == "1/(ms mM)" || std::string_view(ps->unit) == "mM" ||
                 std::string_view(ps->unit) == "uS") {
          if (!finite(value) || !(value >= 0.0))
            r_.add(at(rc, rfb, param), format("{} = {} {} is not a finite number >= 0", param, num(value), ps->unit),
                   format("a number >= 0 [{}] ({})", ps->unit, ps->doc));
        } else if (std::string_view(ps->unit) == "1") {
          if (!finite(value) || !(value >= 0.0 && value <= 1.0))
            r_.add(at(rc, rfb, param), format("{} = {} is not a fraction", param, num(value)),
                   format("a number in [0, 1] ({})", ps->doc));
        } else {
          need_finite(at(rc, rfb, param), value, format("a finite number [{}] ({})", ps->unit, ps->doc));
        }
      }
    }

    const auto vars = cell_variables(c);
    for (const auto& [var, d] : c.init) {
      const source_loc l = at(c, fb, "init." + var);
      if (!contains(vars, var)) {
        r_.add(l, format("'{}' is not a variable of cell type '{}'", var, c.name), quoted(vars));
        continue;
      }
      const std::string signed_unit = signed_state_unit(c, var);
      const char* unit = var == "v"                ? "mV"
                         : var == "cai"            ? "mM"
                         : is_state(c, var)        ? "1"
                         : !signed_unit.empty()    ? signed_unit.c_str()
                                                   : "uS";
      if (!check_distribution(r_, d, l, unit)) continue;
      if (var == "cai" && !(d.min_value() > 0.0))
        r_.add(low_loc(d, l), breach(d, true, unit, "is not positive"),
               "a concentration > 0 [mM]" + bound_hint(d, "low"));
      else if (var != "v" && var != "cai" && !is_state(c, var) && signed_unit.empty() && !(d.min_value() >= 0.0))
        r_.add(low_loc(d, l), breach(d, true, unit, "is negative"),
               "a conductance >= 0 [uS]" + bound_hint(d, "low"));
      if (is_state(c, var) && (!(d.min_value() >= 0.0) || !(d.max_value() <= 1.0)))
        r_.add(d.min_value() >= 0.0 ? high_loc(d, l) : low_loc(d, l),
               breach(d, !(d.min_value() >= 0.0), "", "is outside [0, 1]"),
               "a gating variable between 0 and 1" + bound_hint(d, d.min_value() >= 0.0 ? "high" : "low"));
    }
    ions(c, fb);
    // What depends on the cell's nodes is checked once the rest is sound.
    if (c.is_cable() && r_.size() == problems_before) placement(c, fb);
  }


  // ---- point neurons and cable cells ------------------------------------------------

  // A cell type with a neuron model: a known model, its parameters known and
  // in range, the reset below the threshold. The reader took everything but
  // model, receptor and init as the model's parameters.
  void model_shape(const cell_desc& c, const source_loc& fb) {
    const kind_info* info = find_neuron_model(c.model);
    if (!info) {
      r_.add(at(c, fb, "model"), format("unknown neuron model '{}'", c.model), neuron_model_list());
      return;
    }
    for (const auto& [param, value] : c.model_params) {
      const core::param_spec* ps = info->param(param);
      const source_loc l = at(c, fb, param);
      if (!ps) {
        r_.add(l, format("'{}' is not a parameter of the {} model", param, c.model), info->param_list());
        continue;
      }
      const std::string_view unit = ps->unit;
      const bool is_t_ref = info->t_ref_param >= 0 && param == info->params[info->t_ref_param].name;
      if (is_t_ref) {
        if (!finite(value) || !(value >= 0.0))
          r_.add(l, format("{} ms is not a time >= 0", num(value)), format("a time >= 0 [ms] ({})", ps->doc));
      } else if (unit == "ms" || unit == "nF" || param == "g_l" || param == "delta_t") {
        positive(l, value, ps->unit, format("a number > 0 [{}] ({})", ps->unit, ps->doc));
      } else {
        need_finite(l, value, format("a finite number [{}] ({})", ps->unit, ps->doc));
      }
    }
    if (info->reset_param >= 0) {
      const auto value_of = [&](int i) {
        auto it = c.model_params.find(info->params[i].name);
        return it != c.model_params.end() ? it->second : info->params[i].default_value;
      };
      const double reset = value_of(info->reset_param), th = value_of(info->threshold_param);
      const char* rn = info->params[info->reset_param].name;
      const char* tn = info->params[info->threshold_param].name;
      if (finite(reset) && finite(th) && !(reset < th))
        r_.add(at(c, fb, c.model_params.count(rn) ? rn : tn),
               format("{} = {} mV is not below {} = {} mV", rn, num(reset), tn, num(th)),
               format("a reset below the threshold ({} < {})", rn, tn));
    }
  }

  void point_shape(const cell_desc& c, const source_loc& fb) {
    positive(at(c, fb, "area"), c.area, "um2", "a membrane area > 0 [um2] (or diam and length > 0 [um])");
    const std::string why = "a point neuron has one compartment";
    const std::string valid = "leave it out, or give the cell a morphology (sections) to place things on it";
    if (!c.detector.is_default()) r_.add(at(c, fb, "detector"), why + ": no detector location", valid);
    if (!c.membrane.empty()) r_.add(at(c, fb, "membrane"), why + ": no regions of membrane", valid);
    for (std::size_t i = 0; i < c.mechanisms.size(); ++i) {
      const auto& m = c.mechanisms[i];
      const source_loc mfb = path(format("{}.mechanism[{}]", fb.key, i));
      if (!m.region.is_all()) r_.add(at(m, mfb, "region"), why + ": no region", valid);
      for (const auto& [param, value] : m.params)
        if (!value.is_constant())
          r_.add(at(m, mfb, param), why + ": a parameter cannot vary with distance", "a number");
    }
    for (std::size_t i = 0; i < c.receptors.size(); ++i) {
      const auto& rc = c.receptors[i];
      const source_loc rfb = path(format("{}.receptor[{}] '{}'", fb.key, i, rc.name));
      if (!rc.location.is_default()) r_.add(at(rc, rfb, "location"), why + ": no location", valid);
      if (rc.spread != spread_rule::none) r_.add(at(rc, rfb, "spread"), why + ": nothing to spread over", valid);
    }
  }

  // The section names and tags of a cable cell, for regions and locations.
  struct shape_names {
    std::set<std::string> sections, tags;
    std::string list() const {
      std::string s;
      for (const auto& n : sections) s += (s.empty() ? "'" : ", '") + n + "'";
      return s;
    }
    std::string tag_list() const {  // a tag that is also a section's name once
      std::string s = "\"all\"";
      for (const auto& n : tags) s += ", \"" + n + "\"";
      for (const auto& n : sections)
        if (!tags.count(n)) s += ", \"" + n + "\"";
      return s;
    }
  };
  std::map<std::string, shape_names> shapes_;  // by cell type
  std::map<std::string, cell_geometry> geometries_;

  void discretization(const discretization_desc& d, const located& owner, const source_loc& fb) {
    using R = discretization_desc::rule;
    const auto& src = d.keys.empty() ? owner : static_cast<const located&>(d);
    switch (d.type) {
      case R::nseg:
        if (d.nseg < 1 || d.nseg > 100000)
          r_.add(at(src, fb, "nseg"), format("nseg = {}", d.nseg), "a number of segments between 1 and 100000");
        break;
      case R::max_length:
        positive(at(src, fb, "max_length"), d.max_length, "um", "the longest a segment may be, > 0 [um]");
        break;
      case R::d_lambda:
        positive(at(src, fb, "d_lambda"), d.d_lambda, "", "a fraction of the length constant > 0, e.g. 0.1");
        positive(at(src, fb, "frequency"), d.frequency, "Hz", "a frequency > 0 [Hz], e.g. 100");
        break;
    }
  }

  void cable_shape(const cell_desc& c, const source_loc& fb) {
    positive(at(c, fb, "Ra"), c.ra, "ohm cm", "an axial resistivity > 0 [ohm cm]");
    const auto& m = c.morphology;
    const source_loc mfb = path(fb.key + ".morphology");
    bool builder_ok = true;
    if (!m.builder.empty()) {
      const builder_info* b = find_builder(m.builder);
      if (!b) {
        r_.add(at(m, mfb, "builder"), format("unknown builder '{}'", m.builder), builder_list());
        builder_ok = false;
      } else {
        for (const auto& [k, v] : m.builder_params) {
          const builder_param* bp = b->param(k);
          if (!bp) {
            r_.add(at(m, mfb, k), format("'{}' is not a parameter of builder {}", k, m.builder),
                   join(b->params, [](const builder_param& x) { return format("{} [{}]", x.name, x.unit); }));
            builder_ok = false;
          } else if (!finite(v) || (bp->min_open ? !(v > bp->min) : !(v >= bp->min)) ||
                     (bp->integer && v != std::floor(v))) {
            r_.add(at(m, mfb, k), format("{} = {}", k, num(v)),
                   format("{}{} {} {} ({})", bp->integer ? "an integer" : "a number", bp->min_open ? " >" : " >=",
                          num(bp->min), bp->unit, bp->doc));
            builder_ok = false;
          }
        }
        if (builder_ok) {
          const double n = b->sections(b->values(m.builder_params));
          if (n > static_cast<double>(max_nodes_per_cell) / 2)
            r_.add(at(m, mfb, "builder"), format("these parameters make {:.0f} sections", n),
                   format("at most {} sections (each is two nodes or more; at most {} nodes a cell): fewer levels, "
                          "branches or nodes",
                          max_nodes_per_cell / 2, max_nodes_per_cell));
          builder_ok = n <= static_cast<double>(max_nodes_per_cell) / 2;
        }
      }
    } else {
      for (const auto& [k, v] : m.builder_params)
        r_.add(at(m, mfb, k), format("unknown key '{}'", k), "builder, swc, discretization, and a builder's parameters");
    }
    discretization(m.discretization, m, path(mfb.key + ".discretization"));
    if (!builder_ok) return;

    const std::vector<section_desc> secs = all_sections(c);
    shape_names& names = shapes_[c.name];
    if (secs.empty()) {
      r_.add(at(c, fb), "the cell has no sections", "a builder, an swc file, or [[cell." + c.name + ".section]] tables");
      return;
    }
    std::map<std::string, const section_desc*> by_name;
    for (std::size_t i = 0; i < secs.size(); ++i) {
      const auto& s = secs[i];
      const source_loc sfb = path(format("{}.section '{}'", fb.key, s.name));
      if (s.name.empty()) r_.add(at(s, sfb, "name"), "the section name is empty", "a non-empty name");
      else if (const std::string flaw = name_flaw(s.name); !flaw.empty())
        r_.add(at(s, sfb, "name"), format("the name '{}' {}", s.name, flaw), name_rule);
      else if (!by_name.emplace(s.name, &s).second)
        r_.add(at(s, sfb, "name"), format("section '{}' is defined twice", s.name), "unique section names in a cell");
      if (s.tag.empty()) r_.add(at(s, sfb, "tag"), "the tag is empty", "soma, axon, dend, apic or a tag of your own");
      names.sections.insert(s.name);
      names.tags.insert(s.tag);
      if (!(s.parent_x >= 0.0 && s.parent_x <= 1.0))
        r_.add(at(s, sfb, "parent_x"), format("parent_x = {}", num(s.parent_x)), "a position between 0 and 1");
      if (s.points.size() < 2) {
        r_.add(at(s, sfb, "length"), "the section has no length and diameter", "length [um] and diam [um]");
        continue;
      }
      if (!finite(s.length()) || !(s.length() > 0.0))
        r_.add(at(s, sfb, "length"), format("{} um is not a positive length", num(s.length())), "a length > 0 [um]");
      for (std::size_t k = 0; k < s.points.size(); ++k) {
        if (!finite(s.points[k].diam) || !(s.points[k].diam > 0.0)) {
          r_.add(at(s, sfb, "diam"), format("a diameter of {} um", num(s.points[k].diam)), "diameters > 0 [um]");
          break;
        }
        if (k > 0 && !(s.points[k].arc >= s.points[k - 1].arc)) {
          r_.add(at(s, sfb, "length"), "the points go backwards along the section", "arc lengths that increase");
          break;
        }
      }
      if (s.has_discretization) discretization(s.discretization, s, sfb);
    }
    // One tree: one root, every parent known, no cycle.
    std::vector<const section_desc*> roots;
    for (const auto& s : secs) {
      const source_loc sfb = path(format("{}.section '{}'", fb.key, s.name));
      if (s.parent.empty()) roots.push_back(&s);
      else if (s.parent == s.name)
        r_.add(at(s, sfb, "parent"), format("section '{}' is its own parent", s.name), "another section");
      else if (!by_name.count(s.parent))
        r_.add(at(s, sfb, "parent"), format("unknown parent section '{}'", s.parent), names.list());
    }
    if (roots.empty()) {
      r_.add(at(c, fb), "no section is the root (every one has a parent)", "exactly one section without a parent");
    } else if (roots.size() > 1) {
      std::string list;
      for (const auto* s : roots) list += (list.empty() ? "'" : ", '") + s->name + "'";
      r_.add(at(*roots[1], path(format("{}.section '{}'", fb.key, roots[1]->name)), "parent"),
             format("{} sections have no parent ({})", roots.size(), list), "exactly one root section");
    } else {
      for (const auto& s : secs) {  // walk up; more steps than sections is a cycle
        const section_desc* x = &s;
        std::size_t n = 0;
        while (x && !x->parent.empty() && n <= secs.size()) {
          auto it = by_name.find(x->parent);
          x = it == by_name.end() ? nullptr : it->second;
          ++n;
        }
        if (n > secs.size()) {
          r_.add(at(s, path(format("{}.section '{}'", fb.key, s.name)), "parent"),
                 format("section '{}' is part of a cycle of parents", s.name), "a tree of sections");
          break;
        }
      }
    }
    for (std::size_t i = 0; i < m.spines.size(); ++i) {
      const auto& sp = m.spines[i];
      const source_loc sfb = path(format("{}.spine[{}]", fb.key, i));
      if (sp.name.empty()) r_.add(at(sp, sfb, "name"), "the spine's name is empty", "a non-empty name");
      else if (const std::string flaw = name_flaw(sp.name); !flaw.empty())
        r_.add(at(sp, sfb, "name"), format("the name '{}' {}", sp.name, flaw), name_rule);
      for (auto [k, x] : {std::pair{"neck_length", sp.neck_length}, std::pair{"neck_diam", sp.neck_diam},
                          std::pair{"head_length", sp.head_length}, std::pair{"head_diam", sp.head_diam}})
        positive(at(sp, sfb, k), x, "um", "a size > 0 [um]");
    }
    for (std::size_t i = 0; i < c.membrane.size(); ++i) {
      const auto& mb = c.membrane[i];
      const source_loc bfb = path(format("{}.membrane[{}]", fb.key, i));
      region(mb.region, names, at(mb, bfb, "region"));
      if (mb.cm) positive(at(mb, bfb, "cm"), *mb.cm, "uF/cm2", "a specific capacitance > 0 [uF/cm2]");
      if (mb.ra) positive(at(mb, bfb, "Ra"), *mb.ra, "ohm cm", "an axial resistivity > 0 [ohm cm]");
      if (mb.spine_density && (!finite(*mb.spine_density) || *mb.spine_density < 0.0))
        r_.add(at(mb, bfb, "spine_density"), format("{} spines/um", num(*mb.spine_density)), "a density >= 0 [1/um]");
      positive(at(mb, bfb, "spine_area"), mb.spine_area, "um2", "an area > 0 [um2]");
    }
    location(c, c.detector, at(c, fb, "detector"));
    for (std::size_t i = 0; i < c.mechanisms.size(); ++i) {
      const auto& mc = c.mechanisms[i];
      const source_loc mcfb = path(format("{}.mechanism[{}]", fb.key, i));
      region(mc.region, names, at(mc, mcfb, "region"));
      for (const auto& [param, value] : mc.params) gradient(value, at(mc, mcfb, param));
    }
    for (std::size_t i = 0; i < c.receptors.size(); ++i) {
      const auto& rc = c.receptors[i];
      const source_loc rfb = path(format("{}.receptor[{}] '{}'", fb.key, i, rc.name));
      const bool has_region = !rc.region.names.empty() || !rc.region.is_all();
      if (rc.spread != spread_rule::none) {
        if (!rc.location.is_default())
          r_.add(at(rc, rfb, "location"), "a receptor spread over a region has no single location",
                 "location, or region and spread");
        region(rc.region, names, at(rc, rfb, "region"));
      } else {
        if (has_region)
          r_.add(at(rc, rfb, "region"), "a region without a spread rule",
                 "spread = \"length\" or \"area\" with the region, or a location");
        location(c, rc.location, at(rc, rfb, "location"));
      }
    }
  }

  void gradient(const param_value& v, const source_loc& l) {
    using K = param_value::kind;
    const auto bad = [&](const std::string& what, const std::string& valid) { r_.add(l, what, valid); };
    const double xs[] = {v.value, v.slope, v.scale, v.offset, v.length, v.far, v.half};
    for (double x : xs)
      if (!finite(x)) return bad(format("{} is not a finite number", num(x)), "finite numbers");
    if (v.type == K::exponential && v.length == 0.0) bad("length = 0", "an e-folding length != 0 [um]");
    if (v.type == K::sigmoid && !(v.length > 0.0)) bad(format("length = {}", num(v.length)), "a width > 0 [um]");
    if (std::isnan(v.min) || std::isnan(v.max) || !(v.min <= v.max))
      bad(format("min = {} is above max = {}", num(v.min), num(v.max)), "min <= max");
  }

  void region(const region_desc& r, const shape_names& names, const source_loc& l) {
    for (const auto& n : r.names)
      if (n != "all" && !names.sections.count(n) && !names.tags.count(n))
        r_.add(l, format("'{}' is neither a tag nor a section of the cell", n), names.tag_list());
    if (!(r.min_distance >= 0.0) || std::isnan(r.max_distance) || !(r.min_distance <= r.max_distance))
      r_.add(l, format("the distance window [{}, {}] um", num(r.min_distance), num(r.max_distance)),
             "0 <= min_distance <= max_distance [um]");
  }

  // A location on a cell type: a known section of a cable cell, or nothing
  // on a point neuron.
  void location(const cell_desc& c, const location_desc& loc, const source_loc& l) {
    if (loc.is_default()) return;
    if (!c.is_cable()) {
      r_.add(l, format("cell type '{}' is a point neuron, with no sections", c.name),
             "leave the location out for a point neuron");
      return;
    }
    auto it = shapes_.find(c.name);
    if (it != shapes_.end() && !it->second.sections.count(loc.section))
      r_.add(l, format("cell type '{}' has no section '{}'", c.name, loc.section), it->second.list());
    if (!(loc.x >= 0.0 && loc.x <= 1.0)) r_.add(l, format("x = {}", num(loc.x)), "a position between 0 and 1");
  }

  void ions(const cell_desc& c, const source_loc& fb) {
    for (auto [name, ion] : {std::pair{"na", &c.na}, std::pair{"k", &c.k}, std::pair{"ca", &c.ca}, std::pair{"cl", &c.cl}}) {
      if (!ion->given) continue;
      const source_loc ifb = path(format("{}.ions.{}", fb.key, name));
      if (ion->nernst) {
        positive(at(*ion, ifb, "ci"), ion->ci, "mM", "a concentration > 0 [mM]");
        positive(at(*ion, ifb, "co"), ion->co, "mM", "a concentration > 0 [mM]");
      } else {
        need_finite(at(*ion, ifb, "e"), ion->e, "a reversal potential [mV]");
      }
    }
  }

  // Checks that need the cell cut into nodes: every region holds segments,
  // at most one pool per compartment, capacities.
  void placement(const cell_desc& c, const source_loc& fb) {
    cell_geometry G;
    try {
      G = discretize(c);
    } catch (const model_error& e) {  // the message says what would be valid
      r_.add_text(at(c, fb), to_string(at(c, fb)) + ": " + e.what());
      return;
    }
    std::map<std::uint32_t, std::string> pools;
    for (std::size_t i = 0; i < c.mechanisms.size(); ++i) {
      const auto& m = c.mechanisms[i];
      const source_loc mfb = path(format("{}.mechanism[{}]", fb.key, i));
      const auto nodes = G.nodes_in(m.region);
      if (nodes.empty())
        r_.add(at(m, mfb, "region"), format("region '{}' holds no segment", m.region.describe()),
               "a region that includes at least one segment centre");
      const auto* info = find_mechanism(m.kind);
      if (info && info->writes_cai)
        for (auto n : nodes)
          if (auto [it, fresh] = pools.emplace(n, m.label()); !fresh) {
            r_.add(at(m, mfb, "region"),
                   format("a second calcium pool at {} (already '{}')", G.node_name(n), it->second),
                   "at most one pool (a mechanism that writes cai) per compartment");
            break;
          }
    }
    for (std::size_t i = 0; i < c.receptors.size(); ++i) {
      const auto& rc = c.receptors[i];
      if (rc.spread == spread_rule::none) continue;
      if (G.nodes_in(rc.region).empty())
        r_.add(at(rc, path(format("{}.receptor[{}] '{}'", fb.key, i, rc.name)), "region"),
               format("region '{}' holds no segment", rc.region.describe()),
               "a region that includes at least one segment centre");
    }
    geometries_.emplace(c.name, std::move(G));
  }

  // Whether a recorded or initialised variable exists at a node of a cable cell.
  void variable_at(const cell_desc& c, const std::string& var, std::uint32_t node, const source_loc& l) {
    auto it = geometries_.find(c.name);
    if (it == geometries_.end() || var == "v") return;
    const cell_geometry& G = it->second;
    if (var == "cai") return;
    for (const auto& m : c.mechanisms)
      if (var.rfind(m.label() + ".", 0) == 0) {
        const auto nodes = G.nodes_in(m.region);
        if (std::find(nodes.begin(), nodes.end(), node) == nodes.end())
          r_.add(l, format("mechanism '{}' is not inserted at {}", m.label(), G.node_name(node)),
                 format("a location within its region '{}'", m.region.describe()));
        return;
      }
    for (std::size_t r = 0; r < c.receptors.size(); ++r) {
      const auto& rc = c.receptors[r];
      if (var.rfind(rc.name + ".", 0) != 0) continue;
      const auto nodes = rc.spread == spread_rule::none ? std::vector<std::uint32_t>{G.node_at(rc.location)}
                                                        : G.nodes_in(rc.region);
      if (std::find(nodes.begin(), nodes.end(), node) == nodes.end())
        r_.add(l, format("receptor '{}' has no location at {}", rc.name, G.node_name(node)),
               rc.spread == spread_rule::none ? format("its location, {}", G.node_name(nodes[0]))
                                              : format("a segment of its region '{}'", rc.region.describe()));
      return;
    }
  }

  void measure(std::size_t i) {
    const auto& m = net_.measures[i];
    const source_loc fb = path(format("measure[{}] '{}'", i, m.name));
    const population_desc* p = net_.find_population(m.population);
    const cell_desc* c = p && p->kind == population_kind::cell ? net_.find_cell(p->cell) : nullptr;
    if (!c || !c->is_cable()) {
      std::string list;
      for (const auto& q : net_.populations)
        if (const cell_desc* qc = q.kind == population_kind::cell ? net_.find_cell(q.cell) : nullptr; qc && qc->is_cable())
          list += (list.empty() ? "'" : ", '") + q.name + "'";
      r_.add(at(m, fb, "population"), format("'{}' is not a population of cable cells", m.population),
             list.empty() ? "a population of cable cells (none is defined)" : list);
      return;
    }
    if (m.cell < 0 || m.cell >= p->size)
      r_.add(at(m, fb, "cell"), format("cell {} is outside [0, {})", m.cell, p->size), "a cell of the population");
    location(*c, m.from, at(m, fb, "from"));
    location(*c, m.to, at(m, fb, "to"));
    need_finite(at(m, fb, "threshold"), m.threshold, "a threshold [mV]");
  }

  void gap(std::size_t i) {
    const auto& g = net_.gaps[i];
    const source_loc fb = path(format("gap_junction[{}]", i));
    const auto cell_population = [&](const std::string& name, const char* key) -> const population_desc* {
      const population_desc* p = net_.find_population(name);
      if (!p) r_.add(at(g, fb, key), format("undefined population '{}'", name), cell_population_list(net_));
      else if (p->kind != population_kind::cell)
        r_.add(at(g, fb, key), format("'{}' has no membrane to couple", name), cell_population_list(net_));
      else return p;
      return nullptr;
    };
    const population_desc* a = cell_population(g.a, "a");
    const population_desc* b = cell_population(g.b, "b");
    if (!finite(g.g) || !(g.g >= 0.0))
      r_.add(at(g, fb, "g"), format("{} uS", num(g.g)), "a conductance >= 0 [uS]");
    if (g.pairs.empty()) r_.add(at(g, fb, "pairs"), "no pairs", "at least one [index in a, index in b] pair");
    if (!a || !b) return;
    capped bad(r_);
    for (std::size_t k = 0; k < g.pairs.size(); ++k) {
      const auto [x, y] = g.pairs[k];
      if (x < 0 || x >= a->size || y < 0 || y >= b->size)
        bad.add(at(g, fb, "pairs"), format("pairs[{}] = [{}, {}] is outside the populations", k, x, y),
                format("indices in [0, {}) of '{}' and [0, {}) of '{}'", a->size, a->name, b->size, b->name));
      else if (a == b && x == y)
        bad.add(at(g, fb, "pairs"), format("pairs[{}] couples cell {} to itself", k, x), "two different cells");
    }
    bad.finish("pairs");
    if (const cell_desc* ca = net_.find_cell(a->cell)) location(*ca, g.at_a, at(g, fb, "at_a"));
    if (const cell_desc* cb = net_.find_cell(b->cell)) location(*cb, g.at_b, at(g, fb, "at_b"));
  }

  // Whether `var` is "<mechanism>.<state>" of cell type c.
  // The unit of a state that may take either sign (a neuron model's states,
  // a current-based receptor's), or "" when var is none of those.
  static std::string signed_state_unit(const cell_desc& c, const std::string& var) {
    if (const auto* info = c.is_model() ? find_neuron_model(c.model) : nullptr)
      for (std::size_t s = 0; s < info->states.size(); ++s)
        if (var == info->states[s]) return info->state_units[s];
    for (const auto& rc : c.receptors)
      if (const auto* info = find_receptor(rc.kind); info && info->current_based)
        for (const char* s : info->states)
          if (var == rc.name + "." + s) return "nA";
    return "";
  }

  static bool is_state(const cell_desc& c, const std::string& var) {
    for (const auto& m : c.mechanisms)
      if (const auto* info = find_mechanism(m.kind))
        for (const char* s : info->states)
          if (var == m.label() + "." + s) return true;
    return false;
  }

  // A Poisson source fires at most once a step (core::poisson_p_spike), so
  // it delivers (1 − e^(−x))/x of the rate asked for, x = rate·dt: refused
  // beyond x = 0.1 (4.8 % less), where a model would silently get less
  // input than it says.
  void deliverable_rate(const source_loc& l, const char* key, double rate) {
    if (!dt_ok_) return;
    if (!(rate * net_.sim.dt * 1e-3 > 0.1)) return;
    const double got = core::poisson_p_spike(rate, net_.sim.dt) / (1e-3 * net_.sim.dt);
    r_.add(l,
           format("{} = {} Hz at dt = {} ms: a source fires at most once a step, so it would fire at {:.1f} Hz ({:.1f} "
                  "% less)",
                  key, num(rate), num(net_.sim.dt), got, 100.0 * (1.0 - got / rate)),
           format("a rate of at most {} Hz (rate·dt <= 0.1: within 4.8 %), or more sources (size) sharing the rate",
                  num(0.1 / (1e-3 * net_.sim.dt))));
  }

  void population(std::size_t i, std::map<std::string, std::size_t>& names) {
    const auto& p = net_.populations[i];
    const source_loc fb = path(format("population[{}] '{}'", i, p.name));
    if (p.name.empty())
      r_.add(at(p, fb, "name"), "the name is empty", "a non-empty name");
    else if (const std::string flaw = name_flaw(p.name); !flaw.empty())
      r_.add(at(p, fb, "name"), format("the name '{}' {}", p.name, flaw), name_rule);
    else if (auto [it, fresh] = names.emplace(p.name, i); !fresh)
      r_.add(at(p, fb, "name"), format("population '{}' is already defined by population[{}]", p.name, it->second),
             "unique population names");
    if (p.size <= 0 || p.size > max_population_size)
      r_.add(at(p, fb, "size"), format("{} cells is {}", p.size, p.size <= 0 ? "not positive" : "too many"),
             format("a number of cells between 1 and {}", max_population_size));
    if (p.kind == population_kind::cell) {
      if (!net_.find_cell(p.cell))
        r_.add(at(p, fb, "cell"), format("undefined cell type '{}'", p.cell),
               net_.cells.empty() ? format("a cell type defined in a [cell.NAME] table (none is defined)")
                                  : join(net_.cells, [](const cell_desc& c) { return "'" + c.name + "'"; }));
    } else if (p.kind == population_kind::spike_times) {
      // A spike of time t acts at t + delay; it is emitted by the step that
      // ends at t, so t must be at least one step.
      const auto bad_time = [&](double t) { return !finite(t) || (dt_ok_ && !(t >= net_.sim.dt * (1.0 - 1e-9))); };
      const std::string time_valid = format(
          "times of at least one step ({}): a spike at t acts at t + delay, and the first step ends at dt", dt_text());
      capped bad(r_);
      for (std::size_t k = 0; k < p.times.size(); ++k)
        if (bad_time(p.times[k]))
          bad.add(at(p, fb, "times"), format("times[{}] is {} ms", k, num(p.times[k])), time_valid);
      for (std::size_t k = 0; k < p.spikes.size(); ++k) {
        const auto& sp = p.spikes[k];
        // From the file: its line; else the spikes array's entry.
        const source_loc l = sp.line > 0 ? source_loc{p.spike_file, sp.line, 0, ""} : at(p, fb, "spikes");
        const std::string which = sp.line > 0 ? "the spike" : format("spikes[{}]", k);
        if (sp.index < 0 || sp.index >= p.size)
          bad.add(l, format("{} is of source {}, outside [0, {})", which, sp.index, p.size),
                  "source indices within the population");
        else if (bad_time(sp.time))
          bad.add(l, format("{} is at {} ms", which, num(sp.time)), time_valid);
      }
      bad.finish("spikes");
      const auto events = static_cast<double>(p.times.size()) * static_cast<double>(std::max<std::int64_t>(p.size, 0)) +
                          static_cast<double>(p.spikes.size());
      if (events > static_cast<double>(max_given_spikes))
        r_.add(at(p, fb, p.times.empty() ? "spikes" : "times"),
               format("{} sources given {} spikes in all ({} times each, {} listed)", p.size, num(events),
                      p.times.size(), p.spikes.size()),
               format("at most {} spikes a population (12 bytes each in memory)", max_given_spikes));
    } else {
      if (!p.cell.empty())
        r_.add(at(p, fb, "cell"), "a poisson population has no cell type", "no cell, or kind = \"cell\"");
      if (!finite(p.rate) || !(p.rate >= 0.0))
        r_.add(at(p, fb, "rate"), format("rate = {} Hz is not a finite rate >= 0", num(p.rate)), "a rate >= 0 [Hz]");
      else
        deliverable_rate(at(p, fb, "rate"), "rate", p.rate);
      if (!p.rates.empty() || p.keys.count("rates")) {  // a cycle of rates
        if (p.rates.size() < 2 || p.rates.size() > static_cast<std::size_t>(core::max_rate_cycle))
          r_.add(at(p, fb, "rates"), format("{} rates given", p.rates.size()),
                 format("2 to {} rates [Hz] (one rate: rate = ...)", core::max_rate_cycle));
        for (std::size_t k = 0; k < p.rates.size(); ++k)
          if (!finite(p.rates[k]) || !(p.rates[k] >= 0.0))
            r_.add(at(p, fb, "rates"), format("rates[{}] = {} Hz is not a finite rate >= 0", k, num(p.rates[k])),
                   "rates >= 0 [Hz]");
          else
            deliverable_rate(at(p, fb, "rates"), format("rates[{}]", k).c_str(), p.rates[k]);
        if (!finite(p.rate_interval) || (dt_ok_ && !(p.rate_interval >= net_.sim.dt)))
          r_.add(at(p, fb, "rate_interval"),
                 format("rate_interval = {} ms is not a time >= one step ({})", num(p.rate_interval), dt_text()),
                 format("a time of at least {}", dt_text()));
      }
      window(p, fb, p.start, p.stop);
    }
  }

  // A plastic projection's rule: parameters in range, bounds that hold the
  // initial weights (and, for a conductance, no negative weight).
  void plasticity(const projection_desc& pr, const source_loc& fb, bool current) {
    const plasticity_desc& d = pr.plasticity;
    const source_loc pfb = path(fb.key + ".plasticity");
    const auto l = [&](const char* key) { return at(d, pfb, key); };
    const std::string wu_s = weight_unit(pr);
    const char* wu = wu_s.c_str();
    need_finite(l("w_min"), d.w_min, format("a finite lower bound [{}]", wu));
    if (!current && d.w_min < 0.0)
      r_.add(l("w_min"), format("w_min = {} {} is negative", num(d.w_min), wu),
             format("a bound >= 0 [{}]: the weights of this receptor are not negative", wu));
    const bool stdp_window = d.rule == plasticity_rule::stdp || d.rule == plasticity_rule::dopamine_stdp;
    if (stdp_window || d.rule == plasticity_rule::calcium || d.w_max != infinity) {
      if (!finite(d.w_max) || !(d.w_max > d.w_min))
        r_.add(l("w_max"), format("w_max = {} {} is not a finite bound above w_min = {}", num(d.w_max), wu, num(d.w_min)),
               format("a number > w_min [{}]", wu));
      else if (d.w_max > core::fixed_max_value)
        r_.add(l("w_max"), format("w_max = {} {} is above {}", num(d.w_max), wu, num(core::fixed_max_value)),
               format("at most {} [{}]", num(core::fixed_max_value), wu));
    }
    double w_lo = pr.weight.min_value(), w_hi = pr.weight.max_value();
    if (!pr.pair_weight.empty()) {  // the pairs' weights
      w_lo = *std::min_element(pr.pair_weight.begin(), pr.pair_weight.end());
      w_hi = *std::max_element(pr.pair_weight.begin(), pr.pair_weight.end());
    }
    if (finite(d.w_min) && (!(w_lo >= d.w_min) || !(w_hi <= d.w_max)))
      r_.add(at(pr, fb, pr.pair_weight.empty() ? "weight" : "pairs"),
             format("initial weights in [{}, {}] {} are not all within the bounds [{}, {}]", num(w_lo), num(w_hi), wu,
                    num(d.w_min), num(d.w_max)),
             "initial weights within [w_min, w_max] (bound a distribution with low and high)");
    const auto time_constant = [&](const char* key, double v) {
      positive(l(key), v, "ms", "a time constant > 0 [ms]");
    };
    if (stdp_window) {
      for (const auto& [key, v] : {std::pair{"a_plus", d.a_plus}, std::pair{"a_minus", d.a_minus}})
        if (!finite(v) || !(v >= 0.0))
          r_.add(l(key), format("{} = {} {} is not a finite number >= 0", key, num(v), wu),
                 format("a number >= 0 [{}] (the size of a pair's change; depression subtracts a_minus)", wu));
      time_constant("tau_plus", d.tau_plus);
      time_constant("tau_minus", d.tau_minus);
      if (!finite(d.post_delay) || !(d.post_delay >= 0.0))
        r_.add(l("post_delay"), format("{} ms is not a time >= 0", num(d.post_delay)), "a delay >= 0 [ms]");
      if (d.rule == plasticity_rule::dopamine_stdp) {
        if (!net_.find_population(d.modulator))
          r_.add(l("modulator"), format("undefined population '{}'", d.modulator), population_list(net_));
        time_constant("tau_c", d.tau_c);
        time_constant("tau_d", d.tau_d);
        for (const auto& [key, v] : {std::pair{"d_spike", d.d_spike}, std::pair{"d_tonic", d.d_tonic}})
          if (!finite(v) || !(v >= 0.0))
            r_.add(l(key), format("{} = {} uM is not a concentration >= 0", key, num(v)), "a concentration >= 0 [uM]");
      }
    } else if (d.rule == plasticity_rule::calcium) {
      time_constant("tau_ca", d.tau_ca);
      time_constant("tau_rho", d.tau_rho);
      for (const auto& [key, v] : {std::pair{"c_pre", d.c_pre}, std::pair{"c_post", d.c_post},
                                   std::pair{"gamma_d", d.gamma_d}, std::pair{"gamma_p", d.gamma_p}})
        if (!finite(v) || !(v >= 0.0))
          r_.add(l(key), format("{} = {} is not a finite number >= 0", key, num(v)), "a number >= 0 [1]");
      positive(l("theta_d"), d.theta_d, "", "a threshold > 0 [1]");
      positive(l("theta_p"), d.theta_p, "", "a threshold > 0 [1]");
      for (const auto& [key, v] : {std::pair{"delay_pre", d.delay_pre}, std::pair{"post_delay", d.post_delay}})
        if (!finite(v) || !(v >= 0.0))
          r_.add(l(key), format("{} = {} ms is not a time >= 0", key, num(v)), "a delay >= 0 [ms]");
    } else {
      if (d.rule == plasticity_rule::hebbian)
        need_finite(l("eta"), d.eta, format("a finite learning rate [{}/Hz2]", wu));
      if (d.rule == plasticity_rule::bcm) {
        need_finite(l("eta"), d.eta, format("a finite learning rate [{}/Hz3]", wu));
        time_constant("tau_theta", d.tau_theta);
        positive(l("theta_rate"), d.theta_rate, "Hz", "a rate > 0 [Hz]");
      }
      if (d.rule == plasticity_rule::scaling) {
        positive(l("target_rate"), d.target_rate, "Hz", "a rate > 0 [Hz]");
        time_constant("tau_scaling", d.tau_scaling);
      }
      time_constant("tau_rate", d.tau_rate);
      if (!finite(d.interval) || (dt_ok_ && !(d.interval >= net_.sim.dt)))
        r_.add(l("interval"), format("{} ms is not a time >= one step ({})", num(d.interval), dt_text()),
               format("an interval of at least {}", dt_text()));
    }
  }

  // A projection's presynaptic terminals: parameters in range.
  void terminal(const projection_desc& pr, const source_loc& fb) {
    const terminal_desc& d = pr.terminal;
    const source_loc tfb = path(fb.key + ".terminal");
    const auto l = [&](const char* key) { return at(d, tfb, key); };
    positive(l("tau_rec"), d.tau_rec, "ms", "a time constant > 0 [ms]");
    if (d.model == terminal_kind::tsodyks_markram) {
      if (!finite(d.u) || !(d.u > 0.0 && d.u <= 1.0))
        r_.add(l("u"), format("u = {} is not in (0, 1]", num(d.u)), "a utilisation U in (0, 1] [1]");
      if (!finite(d.tau_facil) || !(d.tau_facil >= 0.0))
        r_.add(l("tau_facil"), format("tau_facil = {} ms is not a time >= 0", num(d.tau_facil)),
               "a time constant >= 0 [ms] (0: no facilitation)");
      return;
    }
    if (d.sites < 1 || d.sites > static_cast<std::int64_t>(core::max_release_sites))
      r_.add(l("sites"), format("sites = {} is not in [1, {}]", d.sites, core::max_release_sites),
             format("an integer from 1 to {}", core::max_release_sites));
    if (d.hh_influx) {  // HH-type Ca2+ channels
      const auto& c = d.channel;
      for (const auto& [key, v] : {std::pair{"v_rest", c.v_rest}, std::pair{"v_peak", c.v_peak},
                                   std::pair{"e_ca", c.e_ca}, std::pair{"v_half", c.v_half}})
        need_finite(l(key), v, "a finite potential [mV]");
      if (finite(c.v_rest) && finite(c.v_peak) && !(c.v_peak > c.v_rest))
        r_.add(l("v_peak"), format("v_peak = {} mV is not above v_rest = {} mV", num(c.v_peak), num(c.v_rest)),
               "an action potential's peak above the resting potential [mV]");
      positive(l("ap_width"), c.ap_width, "ms", "a half-width > 0 [ms]");
      positive(l("v_slope"), c.k, "mV", "a slope factor > 0 [mV]");
      positive(l("tau_m"), c.tau_m, "ms", "a time constant > 0 [ms]");
      positive(l("m_power"), c.p, "", "an exponent > 0 [1]");
      for (const auto& [key, v, unit] : {std::tuple{"g_ca", c.g_ca, "uS"}, std::tuple{"beta", c.beta, "mM/(nA*ms)"}})
        if (!finite(v) || !(v >= 0.0))
          r_.add(l(key), format("{} = {} {} is not a finite number >= 0", key, num(v), unit), format("a number >= 0 [{}]", unit));
    }
    for (const auto& [key, v] : {std::pair{"ca_rest", d.ca_rest}, std::pair{"ca_jump", d.ca_jump}})
      if (!finite(v) || !(v >= 0.0))
        r_.add(l(key), format("{} = {} mM is not a concentration >= 0", key, num(v)), "a concentration >= 0 [mM]");
    positive(l("tau_ca"), d.tau_ca, "ms", "a time constant > 0 [ms]");
    positive(l("k_d"), d.k_d, "mM", "a concentration > 0 [mM]");
    if (d.curve == release_curve::hill) positive(l("n"), d.hill_n, "", "a Hill coefficient > 0 [1]");
    if (d.curve == release_curve::sigmoid) positive(l("slope"), d.slope, "mM", "a concentration > 0 [mM]");
  }

  // A projection's clefts: parameters in range, a receptor of kind "cleft"
  // (and such a receptor fed only by projections with a cleft).
  void cleft(const projection_desc& pr, const source_loc& fb) {
    const population_desc* post = net_.find_population(pr.post);
    const cell_desc* cell = post ? net_.find_cell(post->cell) : nullptr;
    const kind_info* info = nullptr;
    if (cell)
      for (const auto& rc : cell->receptors)
        if (rc.name == pr.receptor) info = find_receptor(rc.kind);
    const cleft_desc& d = pr.cleft;
    if (!d.is_on()) {
      if (info && info->needs_cleft)
        r_.add(at(pr, fb, "receptor"),
               format("receptor '{}' is of kind \"cleft\", which only projections with a synaptic cleft feed", pr.receptor),
               "a [projection.cleft] table for this projection, or a receptor of another kind");
      return;
    }
    const source_loc cfb = path(fb.key + ".cleft");
    const auto l = [&](const char* key) { return at(d, cfb, key); };
    if (info && !info->needs_cleft)
      r_.add(at(pr, fb, "receptor"),
             format("receptor '{}' is of kind \"{}\"; the connections of a projection with a cleft reach their cell "
                    "through a receptor of kind \"cleft\"", pr.receptor, info->kind),
             "a receptor of kind \"cleft\" (with its reversal potential e)");
    if (pr.plasticity.rule == plasticity_rule::calcium || pr.plasticity.rule == plasticity_rule::dopamine_stdp)
      r_.add(l("model"),
             format("a cleft with rule = \"{}\" is not supported (that rule's stored weight is not the weight now)",
                    to_string(pr.plasticity.rule)),
             "a cleft with static weights or rule = \"stdp\", \"hebbian\", \"scaling\" or \"bcm\"");
    for (const auto& [key, v, unit] : {std::tuple{"quantum", d.quantum, "mM"}, std::tuple{"km", d.km, "mM"}})
      positive(l(key), v, unit, format("a concentration > 0 [{}]", unit));
    for (const auto& [key, v, unit] : {std::tuple{"vmax", d.vmax, "mM/ms"}, std::tuple{"k_deg", d.k_deg, "1/ms"}})
      if (!finite(v) || !(v >= 0.0))
        r_.add(l(key), format("{} = {} {} is not a finite rate >= 0", key, num(v), unit), format("a rate >= 0 [{}]", unit));
    if (d.model == cleft_kind::ionotropic) positive(l("kd"), d.kd, "mM", "a concentration > 0 [mM]");
    if (d.model == cleft_kind::metabotropic) {
      if (!finite(d.nt_half) || !(d.nt_half >= 0.0))
        r_.add(l("nt_half"), format("nt_half = {} mM is not a concentration >= 0", num(d.nt_half)), "a concentration >= 0 [mM]");
      positive(l("slope"), d.slope, "mM", "a concentration > 0 [mM]");
    }
    if (d.model == cleft_kind::kinetic) {
      positive(l("alpha"), d.alpha, "1/(mM*ms)", "a binding rate > 0 [1/(mM*ms)]");
      positive(l("beta"), d.beta, "1/ms", "an unbinding rate > 0 [1/ms]");
    }
  }

  // The unit of the projection's weights (its receptor's): "uS", "nA" or "1".
  std::string weight_unit(const projection_desc& pr) const {
    const population_desc* post = net_.find_population(pr.post);
    const cell_desc* c = post ? net_.find_cell(post->cell) : nullptr;
    if (c)
      for (const auto& rc : c->receptors)
        if (rc.name == pr.receptor)
          if (const auto* info = find_receptor(rc.kind)) return info->weight_unit;
    return "uS";
  }

  // Whether the projection's receptor is current-based (weights in nA).
  bool current_receptor(const projection_desc& pr) const {
    const population_desc* post = net_.find_population(pr.post);
    const cell_desc* c = post ? net_.find_cell(post->cell) : nullptr;
    if (!c) return false;
    for (const auto& rc : c->receptors)
      if (rc.name == pr.receptor)
        if (const auto* info = find_receptor(rc.kind)) return info->current_based;
    return false;
  }

  void projection(std::size_t i, std::map<std::string, std::size_t>& names) {
    const auto& pr = net_.projections[i];
    const std::string name = pr.label();
    const source_loc fb = path(format("projection[{}] '{}'", i, name));
    if (pr.keys.count("name"))
      if (const std::string flaw = name_flaw(name); !flaw.empty())
        r_.add(at(pr, fb, "name"), format("the name '{}' {}", name, flaw), name_rule);
    if (auto [it, fresh] = names.emplace(name, i); !fresh)
      r_.add(at(pr, fb, pr.keys.count("name") ? "name" : ""),
             format("projection name '{}' is already used by projection[{}]", name, it->second),
             "a unique name (projections without one are named \"pre->post\")");

    const population_desc* pre = net_.find_population(pr.pre);
    const population_desc* post = net_.find_population(pr.post);
    if (!pre) r_.add(at(pr, fb, "pre"), format("undefined population '{}'", pr.pre), population_list(net_));
    if (!post) {
      r_.add(at(pr, fb, "post"), format("undefined population '{}'", pr.post), cell_population_list(net_));
    } else if (post->kind != population_kind::cell) {
      r_.add(at(pr, fb, "post"), format("'{}' is a spike source population, which cannot receive connections", pr.post),
             cell_population_list(net_));
      post = nullptr;  // nothing more to say about receptors or sizes
    } else if (const cell_desc* c = net_.find_cell(post->cell)) {
      bool found = false;
      for (const auto& rc : c->receptors) found = found || rc.name == pr.receptor;
      if (!found)
        r_.add(at(pr, fb, "receptor"),
               format("cell type '{}' of population '{}' has no receptor '{}'", c->name, post->name, pr.receptor),
               c->receptors.empty()
                   ? format("a receptor of '{}' (it has none; add a [[cell.{}.receptor]])", c->name, c->name)
                   : join(c->receptors, [](const receptor_desc& rc) { return "'" + rc.name + "'"; }));
    }
    const bool sizes_ok = pre && post && pre->size > 0 && post->size > 0;

    switch (pr.rule) {
      case connect_rule::all_to_all: break;
      case connect_rule::one_to_one:
        if (sizes_ok && pre->size != post->size)
          r_.add(at(pr, fb, "rule"),
                 format("one_to_one connects populations of equal size, but '{}' has {} cells and '{}' has {}",
                        pre->name, pre->size, post->name, post->size),
                 "populations of equal size, or another rule");
        break;
      case connect_rule::fixed_probability:
        if (!(pr.probability >= 0.0 && pr.probability <= 1.0))
          r_.add(at(pr, fb, "probability"), format("{} is outside [0, 1]", num(pr.probability)),
                 "a probability between 0 and 1");
        break;
      case connect_rule::fixed_indegree:
        if (pr.indegree < 0) {
          r_.add(at(pr, fb, "indegree"), format("{} is negative", pr.indegree), "an integer >= 0");
        } else if (pr.multapses && pr.indegree > 4294967295) {
          r_.add(at(pr, fb, "indegree"), format("{} sources per cell", pr.indegree),
                 "at most 4294967295 sources per cell");
        } else if (sizes_ok && pr.multapses && pr.indegree > 0 &&
                   pre->size - (pre == post && !pr.autapses ? 1 : 0) <= 0) {
          r_.add(at(pr, fb, "indegree"),
                 format("{} sources per cell, but '{}' has no cell to draw them from (its only cell is the target, "
                        "and autapses = false)", pr.indegree, pre->name),
                 "autapses = true, indegree = 0, or a larger pre population");
        } else if (sizes_ok && !pr.multapses) {
          const std::int64_t sources = pre->size - (pre == post && !pr.autapses ? 1 : 0);
          if (pr.indegree > sources)
            r_.add(at(pr, fb, "indegree"),
                   format("{} exceeds the {} distinct sources in '{}'{}", pr.indegree, sources, pre->name,
                          pre == post && !pr.autapses ? " (without autapses)" : ""),
                   format("at most {} (or multapses = true, to draw a source more than once)", sources));
        }
        break;
      case connect_rule::fixed_total_number:
        if (pr.total < 0) {
          r_.add(at(pr, fb, "total"), format("{} is negative", pr.total), "an integer >= 0");
        } else if (!pr.multapses) {
          r_.add(at(pr, fb, "multapses"), "fixed_total_number draws its pairs with replacement",
                 "multapses = true (or leave it out), or rule = \"fixed_indegree\" with multapses = false");
        } else if (sizes_ok && pr.total > 0 && pre->size - (pre == post && !pr.autapses ? 1 : 0) <= 0) {
          r_.add(at(pr, fb, "total"),
                 format("{} connections, but '{}' has no cell to draw them from (its only cell is the target, "
                        "and autapses = false)", pr.total, pre->name),
                 "autapses = true, total = 0, or a larger pre population");
        } else if (sizes_ok && pr.total > 4294967295LL * post->size) {
          r_.add(at(pr, fb, "total"), format("{} connections onto {} cells", pr.total, post->size),
                 "at most 4294967295 connections per target cell on average");
        }
        break;
      case connect_rule::list:
        if (sizes_ok) list_pairs(pr, fb, *pre, *post);
        break;
    }

    const source_loc wl = at(pr, fb, "weight");
    // A conductance receptor's weights are conductances (inhibition comes
    // from a low reversal potential); a current receptor's take either sign.
    const bool current = current_receptor(pr);
    const std::string wu_s = weight_unit(pr);
    const char* wu = wu_s.c_str();
    if (!pr.pair_weight.empty() || !pr.pair_delay.empty()) listed_values(pr, fb, current, wu_s);
    if (pr.pair_weight.empty() && check_distribution(r_, pr.weight, wl, wu)) {
      if (!current && !(pr.weight.min_value() >= 0.0))
        r_.add(low_loc(pr.weight, wl), "weight " + breach(pr.weight, true, wu, "is negative"),
               wu_s == "uS" ? "a conductance >= 0 [uS]; for inhibition, target a receptor with a low reversal potential e" +
                                  bound_hint(pr.weight, "low")
                            : format("a number >= 0 [{}]{}", wu, bound_hint(pr.weight, "low")));
      if (current && !(pr.weight.min_value() >= -core::fixed_max_value))
        r_.add(low_loc(pr.weight, wl), "weight " + breach(pr.weight, true, wu, "is below " + num(-core::fixed_max_value)),
               format("at least {} [nA]{}", num(-core::fixed_max_value), bound_hint(pr.weight, "low")));
      if (!(pr.weight.max_value() <= core::fixed_max_value))
        r_.add(high_loc(pr.weight, wl), "weight " + breach(pr.weight, false, wu, "is above " + num(core::fixed_max_value)),
               format("at most {} [{}]{}", num(core::fixed_max_value), wu, bound_hint(pr.weight, "high")));
    }
    if (pr.plasticity.is_plastic()) plasticity(pr, fb, current);
    if (pr.terminal.is_on()) terminal(pr, fb);
    cleft(pr, fb);
    const source_loc dl = at(pr, fb, "delay");
    if (!pr.pair_delay.empty()) {
      // checked with the pairs
    } else if (check_distribution(r_, pr.delay, dl, "ms") && dt_ok_ && !(pr.delay.min_value() >= net_.sim.dt))
      r_.add(low_loc(pr.delay, dl), "delay " + breach(pr.delay, true, "ms", format("is shorter than one step ({})", dt_text())),
             format("a delay of at least {}{}", dt_text(), bound_hint(pr.delay, "low")));
    else if (dt_ok_ && !(pr.delay.max_value() / net_.sim.dt <= 4.0e9))
      r_.add(high_loc(pr.delay, dl),
             "delay " + breach(pr.delay, false, "ms", format("is more than 4e9 steps of {}", dt_text())),
             format("at most {} ms at this dt (4e9 steps){}", num(4.0e9 * net_.sim.dt), bound_hint(pr.delay, "high")));
  }

  // The weights and delays a list's pairs give, each as `weight` and
  // `delay` would be checked.
  void listed_values(const projection_desc& pr, const source_loc& fb, bool current, const std::string& wu) {
    capped bad(r_);
    const source_loc pl = at(pr, fb, "pairs");
    for (std::size_t k = 0; k < pr.pair_weight.size(); ++k) {
      const double w = pr.pair_weight[k];
      if (!current && !(w >= 0.0))
        bad.add(pl, format("pairs[{}]: weight {} {} is negative", k, num(w), wu),
                wu == "uS" ? "a conductance >= 0 [uS]; for inhibition, target a receptor with a low reversal potential e"
                           : format("a number >= 0 [{}]", wu));
      else if (!(w >= -core::fixed_max_value && w <= core::fixed_max_value))
        bad.add(pl, format("pairs[{}]: weight {} {} is outside [{}, {}]", k, num(w), wu,
                           num(current ? -core::fixed_max_value : 0.0), num(core::fixed_max_value)),
                format("a weight within [{}, {}] [{}]", num(current ? -core::fixed_max_value : 0.0),
                       num(core::fixed_max_value), wu));
    }
    for (std::size_t k = 0; k < pr.pair_delay.size() && dt_ok_; ++k) {
      const double d = pr.pair_delay[k];
      if (!(d >= net_.sim.dt))
        bad.add(pl, format("pairs[{}]: delay {} ms is shorter than one step ({})", k, num(d), dt_text()),
                format("a delay of at least {}", dt_text()));
      else if (!(d / net_.sim.dt <= 4.0e9))
        bad.add(pl, format("pairs[{}]: delay {} ms is more than 4e9 steps of {}", k, num(d), dt_text()),
                format("at most {} ms at this dt (4e9 steps)", num(4.0e9 * net_.sim.dt)));
    }
    bad.finish("pairs");
  }

  void list_pairs(const projection_desc& pr, const source_loc& fb, const population_desc& pre,
                  const population_desc& post) {
    capped bad(r_);
    for (std::size_t k = 0; k < pr.pairs.size(); ++k) {
      const auto [a, b] = pr.pairs[k];
      std::string what;
      if (a < 0 || a >= pre.size)
        what = format("pre index {} is outside [0, {}) of '{}'", a, pre.size, pre.name);
      else if (b < 0 || b >= post.size)
        what = format("post index {} is outside [0, {}) of '{}'", b, post.size, post.name);
      else if (&pre == &post && !pr.autapses && a == b)
        what = format("connects cell {} to itself, but autapses = false", a);
      if (!what.empty())
        bad.add(at(pr, fb, "pairs"), format("pairs[{}] = [{}, {}]: {}", k, a, b, what),
                format("indices in [0, {}) for the pre and [0, {}) for the post cell", pre.size, post.size));
    }
    bad.finish("pairs");
  }

  // Cell indices: within [0, size) and each at most once.
  void cell_indices(const located& e, const source_loc& fb, const std::vector<std::int64_t>& cells,
                    const population_desc& p) {
    if (p.size <= 0) return;  // the size is wrong, not the indices: reported once, with the population
    std::set<std::int64_t> seen;
    capped bad(r_);
    for (std::size_t k = 0; k < cells.size(); ++k) {
      std::string what;
      if (cells[k] < 0 || cells[k] >= p.size)
        what = format("cells[{}] = {} is outside [0, {}) of '{}'", k, cells[k], p.size, p.name);
      else if (!seen.insert(cells[k]).second)
        what = format("cells[{}] = {} is listed twice", k, cells[k]);
      if (!what.empty()) bad.add(at(e, fb, "cells"), what, format("distinct cell indices in [0, {})", p.size));
    }
    bad.finish("cell indices");
  }

  void stimuli() {
    std::map<std::string, std::vector<std::size_t>> per_cell_type;
    for (std::size_t i = 0; i < net_.stimuli.size(); ++i) {
      const auto& s = net_.stimuli[i];
      const source_loc fb = path(format("stimulus[{}]", i));
      const population_desc* p = net_.find_population(s.population);
      if (!p) {
        r_.add(at(s, fb, "population"), format("undefined population '{}'", s.population), cell_population_list(net_));
      } else if (p->kind != population_kind::cell) {
        r_.add(at(s, fb, "population"), format("'{}' is a spike source, which has no membrane to clamp", p->name),
               cell_population_list(net_));
        p = nullptr;
      } else {
        cell_indices(s, fb, s.cells, *p);
        per_cell_type[p->cell].push_back(i);
        if (const cell_desc* c = net_.find_cell(p->cell)) location(*c, s.location, at(s, fb, "location"));
      }
      if (s.amp.empty())
        r_.add(at(s, fb, "amp"), "no amplitude is given", "one amplitude [nA], or one per entry of cells");
      else if (s.amp.size() != 1 && s.amp.size() != s.cells.size())
        r_.add(at(s, fb, "amp"),
               s.cells.empty() ? format("{} amplitudes, but cells is not given (every cell)", s.amp.size())
                               : format("{} amplitudes for {} cells", s.amp.size(), s.cells.size()),
               "one amplitude for all cells, or one per entry of cells [nA]");
      for (std::size_t k = 0; k < s.amp.size(); ++k)
        if (!finite(s.amp[k]))
          r_.add(at(s, fb, "amp"), format("amp[{}] = {} is not a finite number", k, num(s.amp[k])), "a finite current [nA]");
      window(s, fb, s.start, s.stop);
    }
    // Each stimulus is one slot of its cell type's group view.
    for (const auto& [type, list] : per_cell_type)
      if (list.size() > static_cast<std::size_t>(core::max_stimuli)) {
        const std::size_t i = list[core::max_stimuli];
        r_.add(at(net_.stimuli[i], path(format("stimulus[{}]", i))),
               format("cell type '{}' has {} stimuli on its populations", type, list.size()),
               format("at most {} [[stimulus]] per cell type", core::max_stimuli));
      }
  }

  // Where a sampled record reads: a location or a section of a cable cell
  // where its variable exists.
  void record_place(const cell_desc& c, const record_desc& rec, const source_loc& fb) {
    if (!rec.along.empty()) {
      if (!rec.location.is_default())
        r_.add(at(rec, fb, "along"), "both a location and a section to record along", "one of location and along");
      if (!c.is_cable()) {
        r_.add(at(rec, fb, "along"), format("cell type '{}' is a point neuron, with no sections", c.name),
               "leave along out for a point neuron");
        return;
      }
      auto it = shapes_.find(c.name);
      if (it != shapes_.end() && !it->second.sections.count(rec.along)) {
        r_.add(at(rec, fb, "along"), format("cell type '{}' has no section '{}'", c.name, rec.along), it->second.list());
        return;
      }
      if (rec.variable != "v" && rec.variable != "cai")
        r_.add(at(rec, fb, "along"), format("'{}' is recorded at one place, not along a section", rec.variable),
               "along for \"v\" and \"cai\"; a location for mechanism and receptor variables");
      return;
    }
    location(c, rec.location, at(rec, fb, "location"));
    auto g = geometries_.find(c.name);
    if (g == geometries_.end()) return;
    // A receptor's variable without a location is read at the receptor's own.
    for (const auto& rc : c.receptors)
      if (rec.location.is_default() && rec.variable.rfind(rc.name + ".", 0) == 0 && rc.spread == spread_rule::none)
        return;
    if (const auto sh = shapes_.find(c.name);
        rec.location.is_default() || (sh != shapes_.end() && sh->second.sections.count(rec.location.section)))
      variable_at(c, rec.variable, g->second.node_at(rec.location), at(rec, fb, "location"));
  }

  // A record of a plastic projection's weights, or of its connections'
  // presynaptic terminals.
  void weight_record(const record_desc& rec, const source_loc& fb) {
    const projection_desc* pr = nullptr;
    for (const auto& x : net_.projections)
      if (x.label() == rec.projection) pr = &x;
    if (!pr) {
      std::string names;
      for (const auto& x : net_.projections)
        if (x.is_dynamic()) names += (names.empty() ? "'" : ", '") + x.label() + "'";
      r_.add(at(rec, fb, "projection"), format("undefined projection '{}'", rec.projection),
             names.empty() ? "a plastic projection or one with terminals (there is none)" : names);
      return;
    }
    const std::vector<std::string> weight_vars{"weight", "weight_histogram", "weights"};
    std::vector<std::string> terminal_vars;
    if (pr->terminal.model == terminal_kind::tsodyks_markram) terminal_vars = {"u", "x"};
    if (pr->terminal.model == terminal_kind::quantal) terminal_vars = {"ca_pre", "ready", "released"};
    if (pr->cleft.is_on()) {  // the cleft's transmitter and its receptors' open fraction
      terminal_vars.push_back("nt");
      terminal_vars.push_back("open");
    }
    const bool terminal_var = contains(terminal_vars, rec.variable);
    if (!terminal_var) {
      if (!contains(weight_vars, rec.variable)) {
        std::vector<std::string> all = weight_vars;
        all.insert(all.end(), terminal_vars.begin(), terminal_vars.end());
        r_.add(at(rec, fb, "variable"), format("'{}' is not recorded from projection '{}'", rec.variable, rec.projection),
               quoted(all) + (terminal_vars.empty() ? "" : " (its terminals' and clefts' variables: " + quoted(terminal_vars) + ")"));
        return;
      }
      if (!pr->plasticity.is_plastic())
        r_.add(at(rec, fb, "projection"), format("projection '{}' is not plastic: its weights do not change", rec.projection),
               "a projection with a [projection.plasticity] table");
    }
    const bool sampled = rec.variable != "weights";
    const bool chosen = rec.variable == "weight" || terminal_var;  // of the connections given
    if (chosen && rec.connections.empty())
      r_.add(at(rec, fb, rec.keys.count("connections") ? "connections" : ""), "no connections to record",
             "connections = [[pre index, post index], ...]");
    if (!chosen && !rec.connections.empty())
      r_.add(at(rec, fb, "connections"), format("'{}' takes every connection", rec.variable),
             "no connections (or variable = \"weight\")");
    if (rec.variable == "weight_histogram" && !(rec.bins >= 1 && rec.bins <= 100000))
      r_.add(at(rec, fb, "bins"), format("bins = {}", rec.bins), "an integer from 1 to 100000");
    if (rec.variable == "weight_histogram" && !finite(pr->plasticity.w_max))
      r_.add(at(rec, fb, "variable"), format("projection '{}' has no finite w_max to bin up to", rec.projection),
             "a w_max in its plasticity table");
    const population_desc* pre = net_.find_population(pr->pre);
    const population_desc* post = net_.find_population(pr->post);
    for (const auto& [a, b] : rec.connections)
      if (pre && post && (a < 0 || a >= pre->size || b < 0 || b >= post->size)) {
        r_.add(at(rec, fb, "connections"),
               format("connection [{}, {}] is outside the populations ('{}' has {} cells, '{}' {})", a, b, pre->name,
                      pre->size, post->name, post->size),
               "pre and post indices within their populations");
        break;
      }
    if (!sampled && (rec.keys.count("interval") || rec.interval != 0.0))
      r_.add(at(rec, fb, "interval"), "\"weights\" are written once, at the end", "no interval");
    else if (sampled && (!finite(rec.interval) || rec.interval < 0.0 ||
                         (dt_ok_ && rec.interval != 0.0 && rec.interval < net_.sim.dt)))
      r_.add(at(rec, fb, "interval"), format("interval = {} ms is not a time >= one step ({})", num(rec.interval), dt_text()),
             format("a sampling interval of at least {}, or 0 for every step", dt_text()));
  }

  void record(std::size_t i) {
    const auto& rec = net_.records[i];
    const source_loc fb = path(format("record[{}]", i));
    if (!rec.projection.empty()) {
      if (!rec.population.empty())
        r_.add(at(rec, fb, "population"), "a record is of a population or of a projection, not both",
               "population, or projection");
      weight_record(rec, fb);
      return;
    }
    const population_desc* p = net_.find_population(rec.population);
    if (!p) {
      r_.add(at(rec, fb, "population"), format("undefined population '{}'", rec.population), population_list(net_));
    } else {
      cell_indices(rec, fb, rec.cells, *p);
      std::vector<std::string> vars{"spikes"};
      const cell_desc* c = p->kind == population_kind::cell ? net_.find_cell(p->cell) : nullptr;
      if (c)
        for (auto& v : cell_variables(*c, true)) vars.push_back(v);
      // Without a cell type (undefined: already reported) nothing more can be said.
      if ((c || p->kind != population_kind::cell) && !contains(vars, rec.variable))
        r_.add(at(rec, fb, "variable"),
               p->kind != population_kind::cell
                   ? format("'{}' is not recorded from spike source population '{}', which has only spikes",
                            rec.variable, p->name)
                   : format("'{}' is not a variable of population '{}' (cell type '{}')", rec.variable, p->name, p->cell),
               quoted(vars));
      else if (c && rec.variable != "spikes")
        record_place(*c, rec, fb);
      else if (!rec.location.is_default() || !rec.along.empty())
        r_.add(at(rec, fb, rec.along.empty() ? "location" : "along"), "spikes are recorded where the detector is",
               "no location for \"spikes\" (the cell type's detector sets it)");
    }
    if (rec.variable == "spikes") {
      if (rec.keys.count("interval") || rec.interval != 0.0)
        r_.add(at(rec, fb, "interval"), "spikes are recorded as they happen, not sampled",
               "no interval for \"spikes\"");
    } else if (!finite(rec.interval) || rec.interval < 0.0) {
      r_.add(at(rec, fb, "interval"), format("interval = {} ms is not a time >= 0", num(rec.interval)),
             "a sampling interval >= dt [ms], or 0 for every step");
    } else if (dt_ok_ && rec.interval != 0.0 && rec.interval < net_.sim.dt) {
      r_.add(at(rec, fb, "interval"), format("interval = {} ms is shorter than one step ({})", num(rec.interval), dt_text()),
             format("a sampling interval of at least {}, or 0 for every step", dt_text()));
    }
  }
};

}  // namespace

void check(const network& net) { checker(net).run(); }

}  // namespace ranvier
