// Test helpers: see support.hpp.
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ranvier::test {

outcome run(const network& net, which e, int threads, std::int64_t chunk) {
  check(net);
  any_image img = pack(net, threads);
  outcome o;
  std::visit(
      [&](auto& im) {
        o.populations = im.populations;
        o.dt = im.dt;
        o.steps = im.nsteps;
      },
      img);
  auto eng = e == which::cpu ? make_cpu_engine(std::move(img), threads) : make_cuda_engine(std::move(img));
  o.engine = eng->describe();
  recording rec;
  while (eng->step() < o.steps) {
    eng->run(std::min(chunk, o.steps - eng->step()), rec);
    o.spikes.insert(o.spikes.end(), rec.spikes.begin(), rec.spikes.end());
    if (o.traces.size() < rec.traces.size()) o.traces.resize(rec.traces.size());
    for (std::size_t r = 0; r < rec.traces.size(); ++r) {
      o.traces[r].steps.insert(o.traces[r].steps.end(), rec.traces[r].steps.begin(), rec.traces[r].steps.end());
      o.traces[r].values.insert(o.traces[r].values.end(), rec.traces[r].values.begin(), rec.traces[r].values.end());
    }
    rec.clear();
  }
  o.state = eng->state();
  o.counts = eng->spike_counts();
  return o;
}

network hh_cell(double density, double start, double dur, double tstop, double dt) {
  network net;
  net.sim.dt = dt;
  net.sim.duration = tstop;
  net.sim.celsius = 6.3;
  cell_desc c;
  c.name = "squid";
  c.area = 1000.0;
  c.cm = 1.0;
  c.threshold = 0.0;
  mechanism_desc hh;
  hh.kind = "hh";
  hh.name = "hh";
  c.mechanisms.push_back(hh);
  c.init["v"] = distribution::constant(-65.0);
  net.cells.push_back(c);
  population_desc p;
  p.name = "hh";
  p.size = 1;
  p.cell = "squid";
  net.populations.push_back(p);
  if (density != 0.0) {
    stimulus_desc s;
    s.population = "hh";
    s.amp = {density * 0.01};  // µA/cm² on 1000 µm² -> nA
    s.start = start;
    s.stop = start + dur;
    net.stimuli.push_back(s);
  }
  add_record(net, "hh", "spikes");
  add_record(net, "hh", "v");
  return net;
}

void add_record(network& net, const std::string& population, const std::string& variable,
                std::vector<std::int64_t> cells, double interval) {
  record_desc r;
  r.population = population;
  r.variable = variable;
  r.cells = std::move(cells);
  r.interval = interval;
  net.records.push_back(r);
}

void add_poisson_drive(network& net, const std::string& name, std::int64_t size, double rate,
                       const std::string& target, const std::string& receptor, std::int64_t indegree, double w_lo,
                       double w_hi) {
  population_desc drive;
  drive.name = name;
  drive.kind = population_kind::poisson;
  drive.size = size;
  drive.rate = rate;
  net.populations.push_back(drive);
  projection_desc p;
  p.name = name + "->" + target;
  p.pre = name;
  p.post = target;
  p.receptor = receptor;
  p.rule = connect_rule::fixed_indegree;
  p.indegree = indegree;
  p.weight = distribution::uniform(w_lo, w_hi);
  net.projections.push_back(p);
  add_record(net, name, "spikes");
}

std::vector<double> spike_times(const outcome& o, const std::string& population, std::uint32_t cell) {
  for (const auto& p : o.populations) {
    if (p.name != population) continue;
    std::vector<double> t;
    for (const auto& s : o.spikes)
      if (s.gid == p.gid_base + cell) t.push_back(static_cast<double>(s.step) * o.dt);
    return t;
  }
  throw std::runtime_error("no population " + population);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {
std::size_t value_pos(const std::string& json, const std::vector<std::string>& keys) {
  std::size_t at = 0;
  for (const auto& key : keys) {
    at = json.find("\"" + key + "\"", at);
    REQUIRE_MESSAGE(at != std::string::npos, "no key " << key);
    at += key.size() + 2;
  }
  return json.find(':', at) + 1;
}
}  // namespace

double json_number(const std::string& json, const std::vector<std::string>& keys) {
  return std::stod(json.substr(value_pos(json, keys)));
}

std::vector<double> json_numbers(const std::string& json, const std::vector<std::string>& keys) {
  const auto open = json.find('[', value_pos(json, keys));
  const auto close = json.find(']', open);
  std::vector<double> out;
  std::stringstream s(json.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(std::stod(item));
  return out;
}

network example(const std::string& name) { return load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/" + name); }

network validation_model(const std::string& name) {
  return load_model_file(std::string(RANVIER_TEST_DATA_DIR) + "/validation/models/" + name);
}

}  // namespace ranvier::test
