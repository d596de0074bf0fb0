// Test helpers: see support.hpp.
#include "support.hpp"

#include "host/checkpoint.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ranvier::test {

namespace {
std::unique_ptr<engine> make(any_image img, which e, int threads) {
  return e == which::cpu ? make_cpu_engine(std::move(img), threads) : make_cuda_engine(std::move(img));
}
void drain(outcome& o, recording& rec) {
  o.spikes.insert(o.spikes.end(), rec.spikes.begin(), rec.spikes.end());
  if (o.traces.size() < rec.traces.size()) o.traces.resize(rec.traces.size());
  for (std::size_t r = 0; r < rec.traces.size(); ++r) {
    o.traces[r].steps.insert(o.traces[r].steps.end(), rec.traces[r].steps.begin(), rec.traces[r].steps.end());
    o.traces[r].values.insert(o.traces[r].values.end(), rec.traces[r].values.begin(), rec.traces[r].values.end());
  }
  rec.clear();
}
}  // namespace

outcome run(const network& net, which e, int threads, std::int64_t chunk, std::uint32_t cable_block) {
  check(net);
  return run_packed(pack(net, threads), e, threads, chunk, cable_block);
}

outcome run_packed(any_image img, which e, int threads, std::int64_t chunk, std::uint32_t cable_block,
                   const cuda_settings& settings) {
  outcome o;
  std::visit(
      [&](auto& im) {
        o.populations = im.populations;
        o.dt = im.dt;
        o.steps = im.nsteps;
      },
      img);
  auto eng = e == which::cpu ? make_cpu_engine(std::move(img), threads, cable_block, settings.delay_runs)
                             : make_cuda_engine(std::move(img), settings);
  o.engine = eng->describe();
  recording rec;
  while (eng->step() < o.steps) {
    eng->run(std::min(chunk, o.steps - eng->step()), rec);
    drain(o, rec);
  }
  o.state = eng->state();
  o.counts = eng->spike_counts();
  o.saved = eng->save_state();
  return o;
}


outcome run_resumed(const network& net, std::int64_t split, which first, int threads1, which second, int threads2,
                    const std::filesystem::path& file) {
  check(net);
  outcome o;
  any_image img = pack(net, threads1);
  std::visit(
      [&](auto& im) {
        o.populations = im.populations;
        o.dt = im.dt;
        o.steps = im.nsteps;
      },
      img);
  REQUIRE(split <= o.steps);
  recording rec;
  engine_state st;
  {
    auto eng = make(std::move(img), first, threads1);
    o.engine = eng->describe() + ", then ";
    eng->run(split / 2, rec);  // two runs: the split is not a batch boundary
    eng->run(split - split / 2, rec);
    drain(o, rec);
    st = eng->save_state();
    REQUIRE(st.step == split);
  }
  if (!file.empty()) {
    checkpoint c;
    c.state = st;
    write_checkpoint(file, c);
    st = read_checkpoint(file).state;
  }
  any_image again = pack(net, threads2);
  std::visit([&](auto& im) { apply_image_state(im, st); }, again);
  auto eng = make(std::move(again), second, threads2);
  eng->resume_state(st);
  o.engine += eng->describe();
  while (eng->step() < o.steps) {
    eng->run(std::min<std::int64_t>(1000, o.steps - eng->step()), rec);
    drain(o, rec);
  }
  o.state = eng->state();
  o.counts = eng->spike_counts();
  o.saved = eng->save_state();
  return o;
}

void check_same_state(const engine_state& a, const engine_state& b) {
  CHECK(a.step == b.step);
  REQUIRE(a.sections.size() == b.sections.size());
  for (std::size_t i = 0; i < a.sections.size(); ++i) {
    CAPTURE(a.sections[i].name);
    CHECK(a.sections[i].name == b.sections[i].name);
    CHECK(a.sections[i].elem == b.sections[i].elem);
    CHECK(a.sections[i].bytes == b.sections[i].bytes);
  }
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

void add_model_population(network& net, const std::string& cell, const std::string& model,
                          std::map<std::string, double> params, std::vector<receptor_desc> receptors,
                          const std::string& population, std::int64_t size) {
  cell_desc c;
  c.name = cell;
  c.model = model;
  c.model_params = std::move(params);
  c.receptors = std::move(receptors);
  net.cells.push_back(c);
  population_desc p;
  p.name = population;
  p.cell = cell;
  p.size = size;
  net.populations.push_back(p);
}

projection_desc projection(const std::string& pre, const std::string& post, const std::string& receptor) {
  projection_desc p;
  p.name = pre + "->" + post;
  p.pre = pre;
  p.post = post;
  p.receptor = receptor;
  return p;
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
  projection_desc p = projection(name, target, receptor);
  p.rule = connect_rule::fixed_indegree;
  p.indegree = indegree;
  p.weight = distribution::uniform(w_lo, w_hi);
  net.projections.push_back(p);
  add_record(net, name, "spikes");
}

void add_spike_source(network& net, const std::string& name, std::int64_t size, std::vector<given_spike> spikes,
                      const std::string& target, const std::string& receptor, double w, double delay) {
  population_desc src;
  src.name = name;
  src.kind = population_kind::spike_times;
  src.size = size;
  src.spikes = std::move(spikes);
  net.populations.push_back(src);
  projection_desc p = projection(name, target, receptor);
  p.rule = connect_rule::all_to_all;
  p.weight = distribution::constant(w);
  p.delay = distribution::constant(delay);
  net.projections.push_back(p);
}

network cobahh_five_recorded(double ms) {
  network net = example("cobahh.toml");
  net.sim.duration = ms;
  std::erase_if(net.records, [](const record_desc& r) { return r.variable == "spikes"; });
  add_record(net, "exc", "spikes", {0, 5, 3199});
  add_record(net, "inh", "spikes", {0, 799});
  return net;
}

network with_wide_delays(network net, const std::string& target, const std::string& receptor) {
  add_spike_source(net, "far", 1, {}, target, receptor, 0.001);
  net.projections.back().delay = distribution::uniform(6000.0, 7000.0);
  return net;
}

network kinetic_drawn_delays(double max_delay, std::int64_t cells) {
  network net = poisson_net(200, 20.0, 0.0, 1e9, 200.0, 0.1);
  add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::of("ampa", "ampa")}, "cell", cells);
  auto p = projection("noise", "cell", "ampa");
  p.rule = connect_rule::fixed_probability;
  p.probability = 0.3;
  p.weight = distribution::constant(0.02);
  p.delay = distribution::uniform(0.1, max_delay);
  net.projections.push_back(p);
  add_record(net, "cell", "spikes");
  return net;
}

network poisson_net(std::int64_t n, double rate, double start, double stop, double duration, double dt) {
  network net;
  net.sim.dt = dt;
  net.sim.duration = duration;
  population_desc p;
  p.name = "noise";
  p.kind = population_kind::poisson;
  p.size = n;
  p.rate = rate;
  p.start = start;
  p.stop = stop;
  net.populations.push_back(p);
  add_record(net, "noise", "spikes");
  return net;
}

scratch_output::scratch_output(const std::string& name) : dir(std::filesystem::temp_directory_path() / name) {
  std::filesystem::remove_all(dir);
  opt.out = dir;
  opt.progress = false;
}
scratch_output::~scratch_output() {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

network synchronous_network(std::int64_t n) {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 60.0;
  add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::exp_current("in", 2.0)}, "cells", n);
  stimulus_desc s;
  s.population = "cells";
  s.amp = {1.0};  // [nA]
  s.start = 10.0;
  net.stimuli.push_back(s);
  projection_desc rec = projection("cells", "cells", "in");
  rec.rule = connect_rule::fixed_indegree;
  rec.indegree = 50;
  rec.weight = distribution::constant(0.01);  // [nA]
  rec.delay = distribution::constant(1.0);
  net.projections.push_back(rec);
  std::vector<given_spike> burst;
  for (std::int64_t i = 0; i < n; ++i) burst.push_back({5.0, i, 0});
  population_desc src;
  src.name = "burst";
  src.kind = population_kind::spike_times;
  src.size = n;
  src.spikes = std::move(burst);
  net.populations.push_back(src);
  projection_desc one = projection("burst", "cells", "in");
  one.rule = connect_rule::one_to_one;
  one.weight = distribution::constant(5.0);  // [nA]: enough for one spike of every cell
  one.delay = distribution::constant(0.5);
  net.projections.push_back(one);
  add_record(net, "cells", "spikes");
  add_record(net, "burst", "spikes");
  add_record(net, "cells", "v", {0, static_cast<std::uint32_t>(n - 1)}, 0.5);
  return net;
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

std::vector<bad_file> bad_files(const std::string& dir, const std::string& ext) {
  namespace fs = std::filesystem;
  REQUIRE(fs::is_directory(dir));
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<bad_file> out;
  for (const auto& path : paths) {
    std::ifstream in(path);
    std::string first, second;
    std::getline(in, first);
    std::getline(in, second);
    const std::string expect_tag = "# expect: ", line_tag = "# line: ";
    INFO("bad file: ", path);
    REQUIRE_MESSAGE(first.rfind(expect_tag, 0) == 0, "the first line must be '# expect: SUBSTRING'");
    REQUIRE_MESSAGE(second.rfind(line_tag, 0) == 0, "the second line must be '# line: N'");
    out.push_back({path, fs::path(path).filename().string(), first.substr(expect_tag.size()),
                   second.substr(line_tag.size())});
  }
  return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

int count_lines(const std::string& s) {
  return s.empty() ? 0 : 1 + static_cast<int>(std::count(s.begin(), s.end(), '\n'));
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

std::string object_of(const std::string& json, const std::string& key) {
  const auto k = json.find("\"" + key + "\"");
  REQUIRE_MESSAGE(k != std::string::npos, "no key " << key);
  const auto open = json.find('{', k);
  int depth = 0;
  for (auto i = open; i < json.size(); ++i) {
    depth += json[i] == '{' ? 1 : json[i] == '}' ? -1 : 0;
    if (depth == 0) return json.substr(open, i - open + 1);
  }
  FAIL("unbalanced braces after " << key);
  return {};
}

std::vector<std::string> objects_of(const std::string& json, const std::string& key) {
  const auto k = json.find("\"" + key + "\"");
  REQUIRE_MESSAGE(k != std::string::npos, "no key " << key);
  const auto open = json.find('[', k);
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (auto i = open + 1; i < json.size(); ++i) {
    if (json[i] == '{' && depth++ == 0) start = i;
    if (json[i] == '}' && --depth == 0) out.push_back(json.substr(start, i - start + 1));
    if (json[i] == ']' && depth == 0) return out;
  }
  FAIL("unbalanced brackets after " << key);
  return {};
}

network example(const std::string& name) { return load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/" + name); }

void check_identical(const outcome& a, const outcome& b) {
  MESSAGE(a.engine << " vs " << b.engine << ": " << a.spikes.size() << " spikes");
  REQUIRE(a.spikes.size() == b.spikes.size());
  const auto diff = std::mismatch(a.spikes.begin(), a.spikes.end(), b.spikes.begin());
  const auto first_diff = static_cast<std::size_t>(diff.first - a.spikes.begin());
  CAPTURE(first_diff);
  CHECK(first_diff == a.spikes.size());
  CHECK(a.counts == b.counts);
  REQUIRE(a.traces.size() == b.traces.size());
  for (std::size_t r = 0; r < a.traces.size(); ++r) {
    CAPTURE(r);
    CHECK(a.traces[r].steps == b.traces[r].steps);
    CHECK(a.traces[r].values == b.traces[r].values);
  }
  REQUIRE(a.state.size() == b.state.size());
  for (std::size_t i = 0; i < a.state.size(); ++i) {
    CAPTURE(a.state[i].name);
    REQUIRE(a.state[i].values.size() == b.state[i].values.size());
    std::size_t diffs = 0;
    for (std::size_t k = 0; k < a.state[i].values.size(); ++k) diffs += a.state[i].values[k] != b.state[i].values[k];
    CHECK(diffs == 0);
  }
}

precision precision_of(float) { return precision::single; }
precision precision_of(double) { return precision::double_; }

run_summary run_measured(const network& net) {
  run_options opt;
  opt.engine = engine_choice::cpu;
  opt.progress = false;
  return run_network(net, opt);
}

// A network of both kinds: 48 ball-and-sticks (example ball_and_stick.toml's
// cell, spread excitation on their dendrites) and 800 Traub–Miles point
// neurons, connected both ways, driven by Poisson inputs; large enough that
// the CPU engine shares it between two threads.
network cable_network() {
  network net = example("ball_and_stick.toml");
  net.sim.duration = 60.0;
  net.populations[0].size = 48;
  auto& c = net.cells[0];
  c.receptors[0].spread = spread_rule::uniform_length;
  c.receptors[0].region.names = {"dend"};
  c.receptors[0].location = {};
  net.records.clear();
  network cob = example("cobahh.toml");
  for (auto& cell : cob.cells) net.cells.push_back(cell);
  for (auto p : cob.populations) {
    p.size /= 5;
    net.populations.push_back(p);
  }
  for (auto pr : cob.projections) {
    pr.probability = 0.1;
    net.projections.push_back(pr);
  }
  add_poisson_drive(net, "drive", 100, 40.0, "cell", "syn", 20, 0.0005, 0.002);
  add_poisson_drive(net, "drive2", 100, 40.0, "exc", "exc", 10, 0.002, 0.006);
  projection_desc up = projection("exc", "cell", "syn");  // point -> cable
  up.rule = connect_rule::fixed_indegree;
  up.indegree = 10;
  up.weight = distribution::uniform(0.0005, 0.001);
  up.delay = distribution::uniform(0.5, 2.0);
  net.projections.push_back(up);
  projection_desc down = projection("cell", "inh", "exc");  // cable -> point
  down.rule = connect_rule::fixed_probability;
  down.probability = 0.5;
  down.weight = distribution::constant(0.01);
  net.projections.push_back(down);
  add_record(net, "cell", "spikes");
  add_record(net, "exc", "spikes");
  record_desc r;
  r.population = "cell";
  r.variable = "v";
  r.cells = {0, 5, 23};
  r.along = "dend";
  net.records.push_back(r);
  // Gap junctions between dendrite tips of neighbouring ball-and-sticks and
  // between point neurons and somata, given spike times, and a receptor's
  // conductance and current recorded.
  gap_desc tips;
  tips.a = tips.b = "cell";
  for (int k = 0; k + 1 < 48; k += 2) tips.pairs.push_back({k, k + 1});
  tips.at_a = tips.at_b = location_desc::on("dend", 1.0);
  tips.g = 0.0005;
  net.gaps.push_back(tips);
  gap_desc mixed;
  mixed.a = "inh";
  mixed.b = "cell";
  mixed.pairs = {{0, 3}, {1, 4}};
  mixed.g = 0.001;
  net.gaps.push_back(mixed);
  net.populations[1].spikes = {{5.0, 0}, {12.5, 0}, {30.0, 0}};
  record_desc g;
  g.population = "cell";
  g.variable = "syn.g";
  g.cells = {1, 2};
  g.location = location_desc::on("dend", 0.5);
  net.records.push_back(g);
  g.variable = "syn.i";
  net.records.push_back(g);
  // Kinetic receptors on the cable cells: NMDA spread over the dendrite, GABA_A at the soma
  // (last: the records above keep their indices).
  receptor_desc nmda = receptor_desc::of("nmda", "nmda");
  nmda.spread = spread_rule::uniform_area;
  nmda.region.names = {"dend"};
  net.cells[0].receptors.push_back(nmda);  // (not `c`: the cells above may have moved)
  net.cells[0].receptors.push_back(receptor_desc::of("gaba", "gaba_a"));
  add_poisson_drive(net, "drive_nmda", 100, 40.0, "cell", "nmda", 10, 0.0005, 0.002);
  add_poisson_drive(net, "drive_gaba", 100, 20.0, "cell", "gaba", 5, 0.0005, 0.001);
  return net;
}


network validation_model(const std::string& name) {
  return load_model_file(std::string(RANVIER_TEST_DATA_DIR) + "/validation/models/" + name);
}

network model_network() {
  network net;
  net.sim.dt = 0.05;
  net.sim.duration = 200.0;
  const auto cell = [&](const std::string& name, const std::string& model, std::map<std::string, double> params,
                        std::vector<receptor_desc> receptors) {
    add_model_population(net, name, model, std::move(params), std::move(receptors), name, 150);
    add_record(net, name, "spikes");
    add_record(net, name, "v", {0, 7, 149}, 0.5);
  };
  cell("lif_psc", "lif", {{"t_ref", 2.0}},
       {receptor_desc::exp_current("exc", 2.0), receptor_desc::alpha_current("inh", 5.0)});
  cell("lif_cond", "lif", {{"tau_m", 20.0}},
       {receptor_desc::expsyn("exc", 5.0, 0.0), receptor_desc::alphasyn("inh", 10.0, -80.0),
        receptor_desc::of("pls", "pulsesyn", {{"duration", 1.0}, {"e", 0.0}})});
  cell("izh", "izhikevich", {{"d", 2.0}, {"a", 0.1}}, {receptor_desc::exp_current("exc", 2.0), receptor_desc::exp_current("inh", 5.0)});
  cell("adex", "adex", {{"t_ref", 1.0}},
       {receptor_desc::exp2syn("exc", 0.5, 3.0, 0.0), receptor_desc::expsyn("inh", 8.0, -75.0),
        receptor_desc::of("nmda", "nmda"), receptor_desc::of("gaba", "gaba_a"),
        receptor_desc::of("gabab", "gabab", {{"gmax", 0.01}})});
  cell("fhn", "fhn", {{"i_e", -0.2}}, {receptor_desc::exp_current("exc", 2.0), receptor_desc::exp_current("inh", 5.0)});
  add_record(net, "izh", "u", {0, 3}, 0.5);
  add_record(net, "adex", "w", {0, 3}, 0.5);
  add_record(net, "fhn", "R", {0, 3}, 0.5);
  add_record(net, "lif_psc", "inh.x", {0, 3}, 0.5);
  // Drive: nA onto current receptors, uS onto conductances.
  add_poisson_drive(net, "d_psc", 100, 50.0, "lif_psc", "exc", 20, 0.0, 1.5);
  add_poisson_drive(net, "d_cond", 100, 50.0, "lif_cond", "exc", 20, 0.0, 0.006);
  add_poisson_drive(net, "d_pulse", 100, 50.0, "lif_cond", "pls", 10, 0.0, 0.004);
  add_poisson_drive(net, "d_izh", 100, 50.0, "izh", "exc", 20, 0.0, 0.02);
  add_poisson_drive(net, "d_adex", 100, 50.0, "adex", "exc", 20, 0.0, 0.02);
  add_poisson_drive(net, "d_nmda", 100, 50.0, "adex", "nmda", 10, 0.0, 0.01);
  add_poisson_drive(net, "d_gaba", 100, 30.0, "adex", "gaba", 10, 0.0, 0.005);
  add_poisson_drive(net, "d_gabab", 100, 40.0, "adex", "gabab", 20, 0.5, 1.5);  // release sizes [1]
  add_record(net, "adex", "gabab.G", {0, 3}, 0.5);
  add_record(net, "adex", "nmda.ica", {0, 3}, 0.5);
  add_poisson_drive(net, "d_fhn", 100, 50.0, "fhn", "exc", 20, 0.0, 0.3);
  // Recurrent: each population excites the next and inhibits itself.
  const char* names[] = {"lif_psc", "lif_cond", "izh", "adex", "fhn"};
  const double exc_w[] = {0.5, 0.002, 0.005, 0.004, 0.1};
  const double inh_w[] = {-0.3, 0.002, -0.005, 0.003, -0.1};
  for (int i = 0; i < 5; ++i) {
    projection_desc e = projection(names[i], names[(i + 1) % 5], "exc");
    e.name = std::string(names[i]) + "->next";
    e.rule = connect_rule::fixed_probability;
    e.probability = 0.05;
    e.weight = distribution::uniform(0.0, exc_w[(i + 1) % 5]);
    e.delay = distribution::uniform(0.5, 3.0);
    net.projections.push_back(e);
    projection_desc h = projection(names[i], names[i], "inh");
    h.name = std::string(names[i]) + "->self";
    h.rule = connect_rule::fixed_indegree;
    h.indegree = 10;
    h.weight = inh_w[i] < 0 ? distribution::uniform(inh_w[i], 0.0) : distribution::uniform(0.0, inh_w[i]);
    h.delay = distribution::uniform(0.5, 3.0);
    net.projections.push_back(h);
  }
  return net;
}

network plastic_network() {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 500.0;
  add_model_population(net, "lif", "lif",
                       {{"cm", 0.2}, {"tau_m", 20.0}, {"e_l", -70.0}, {"v_th", -54.0}, {"v_reset", -60.0}, {"t_ref", 1.0}},
                       {receptor_desc::expsyn("exc", 5.0, 0.0), receptor_desc::exp_current("rec", 2.0),
                        receptor_desc::of("pls", "pulsesyn", {{"duration", 0.5}, {"e", 0.0}}),
                        receptor_desc::of("ampa", "ampa"), receptor_desc::of("nmda", "nmda"),
                        receptor_desc::of("cleft", "cleft")},
                       "out", 40);
  population_desc in;
  in.name = "in";
  in.kind = population_kind::poisson;
  in.size = 400;
  in.rate = 15.0;
  net.populations.push_back(in);
  // A projection with a fixed in-degree (or, with p below 1, probability),
  // weights drawn in [w_lo, w_hi] and delays in [d_lo, d_hi] ms.
  const auto add = [&](const char* name, const char* pre, const char* receptor, double n, double w_lo, double w_hi,
                       double d_lo, double d_hi) -> projection_desc& {
    projection_desc p = projection(pre, "out", receptor);
    p.name = name;
    p.rule = n < 1.0 ? connect_rule::fixed_probability : connect_rule::fixed_indegree;
    p.probability = n < 1.0 ? n : 0.0;
    p.indegree = n < 1.0 ? 0 : static_cast<std::int64_t>(n);
    p.weight = distribution::uniform(w_lo, w_hi);
    p.delay = distribution::uniform(d_lo, d_hi);
    net.projections.push_back(p);
    return net.projections.back();
  };
  const auto stdp_rule = [](double a_plus, double a_minus, double w_min, double w_max) {
    plasticity_desc d;
    d.rule = plasticity_rule::stdp;
    d.a_plus = a_plus;
    d.a_minus = a_minus;
    d.w_min = w_min;
    d.w_max = w_max;
    return d;
  };
  add("ff", "in", "exc", 0.1, 0.0, 0.004, 0.1, 5.0).plasticity = stdp_rule(0.0001, 0.000105, 0.0, 0.01);
  net.projections.back().plasticity.post_delay = 1.0;
  auto& rec = add("rec", "out", "rec", 8, -0.2, 0.2, 0.5, 3.0);
  rec.plasticity = stdp_rule(0.02, 0.02, -0.2, 0.2);
  rec.plasticity.pairing = stdp_pairing::nearest;
  rec.plasticity.update = stdp_update::multiplicative;
  // Kinetic receptors, whose connections each keep a release state: STDP
  // onto AMPA, static recurrent NMDA and AMPA (a source's static row onto
  // two locations: the CPU engine reorders it by owner), and sources given
  // twice within a step.
  add("kin", "in", "ampa", 10, 0.0, 0.003, 0.5, 3.0).plasticity = stdp_rule(0.0001, 0.000105, 0.0, 0.006);
  add("nmda", "out", "nmda", 5, 0.0, 0.001, 0.5, 3.0);
  add("ampa", "out", "ampa", 3, 0.0, 0.001, 0.5, 3.0);
  population_desc twice;
  twice.name = "twice";
  twice.kind = population_kind::spike_times;
  twice.size = 2;
  twice.spikes = {{20.0, 0, 0}, {20.04, 0, 0}, {60.0, 1, 0}, {60.0, 1, 0}, {60.5, 1, 0}, {100.0, 0, 0}};
  net.populations.push_back(twice);
  auto& tw = add("twice->nmda", "twice", "nmda", 1, 0.0, 0.0, 1.0, 1.0);
  tw.rule = connect_rule::all_to_all;
  tw.weight = distribution::constant(0.002);
  tw.delay = distribution::constant(1.0);
  // Presynaptic terminals: Tsodyks-Markram with facilitation on static
  // weights, and quantal release (Ca2+, a pool of sites) under STDP onto the
  // kinetic AMPA receptor (a failure releases nothing there).
  auto& stp = add("stp", "in", "exc", 5, 0.0, 0.004, 0.5, 3.0);
  stp.terminal.model = terminal_kind::tsodyks_markram;
  stp.terminal.u = 0.2;
  stp.terminal.tau_rec = 200.0;
  stp.terminal.tau_facil = 300.0;
  auto& quantal = add("quantal", "in", "ampa", 5, 0.0, 0.001, 0.5, 3.0);
  quantal.plasticity = stdp_rule(0.00005, 0.0000525, 0.0, 0.002);
  quantal.terminal.model = terminal_kind::quantal;
  quantal.terminal.sites = 4;
  quantal.terminal.tau_rec = 300.0;
  quantal.terminal.ca_jump = 8e-4;
  // BCM (a rate rule with a threshold per cell) and homeostatic scaling.
  auto& bcm = add("bcm", "in", "exc", 10, 0.0, 0.002, 0.5, 4.0);
  bcm.plasticity.rule = plasticity_rule::bcm;
  bcm.plasticity.eta = 1e-9;
  bcm.plasticity.tau_rate = 50.0;
  bcm.plasticity.tau_theta = 300.0;
  bcm.plasticity.theta_rate = 20.0;
  bcm.plasticity.interval = 3.0;
  bcm.plasticity.w_max = 0.004;
  auto& scaling = add("scaling", "in", "exc", 5, 0.0, 0.002, 0.5, 4.0);
  scaling.plasticity.rule = plasticity_rule::scaling;
  scaling.plasticity.target_rate = 5.0;
  scaling.plasticity.tau_scaling = 200.0;
  scaling.plasticity.tau_rate = 100.0;
  scaling.plasticity.interval = 1.0;
  scaling.plasticity.w_max = 0.004;
  const plasticity_desc scaling_rule = scaling.plasticity;  // `scaling` dangles after the next add
  // Calcium-based plasticity (Graupner & Brunel), fast (tau_rho 500 ms) so
  // that weights move within the run: with the presynaptic lag D onto the
  // exponential receptor, without one and with a dendritic delay onto AMPA.
  const auto calcium_rule = [](double delay_pre, double post_delay) {
    plasticity_desc d;
    d.rule = plasticity_rule::calcium;
    d.w_max = 0.004;
    d.tau_rho = 500.0;
    d.delay_pre = delay_pre;
    d.post_delay = post_delay;
    return d;
  };
  add("calcium", "in", "exc", 8, 0.0, 0.004, 0.5, 3.0).plasticity = calcium_rule(13.7, 0.0);
  add("calcium0", "in", "ampa", 4, 0.0, 0.002, 0.5, 3.0).plasticity = calcium_rule(0.0, 1.0);
  net.projections.back().plasticity.w_max = 0.002;
  // Dopamine-modulated STDP, its dopamine from a Poisson population (a
  // spike a step at most per source: several in one step add up).
  population_desc da;
  da.name = "da";
  da.kind = population_kind::poisson;
  da.size = 3;
  da.rate = 8.0;
  net.populations.push_back(da);
  auto& dopa = add("dopa", "in", "exc", 8, 0.0, 0.004, 0.5, 3.0);
  dopa.plasticity = stdp_rule(0.0004, 0.0005, 0.0, 0.006);
  dopa.plasticity.rule = plasticity_rule::dopamine_stdp;
  dopa.plasticity.modulator = "da";
  dopa.plasticity.tau_c = 300.0;
  dopa.plasticity.d_tonic = 0.01;
  dopa.plasticity.post_delay = 0.5;
  // Synaptic clefts: quantal release under STDP into clefts read by kinetic
  // receptors, and static weights into metabotropic ones.
  auto& cq = add("cleft_q", "in", "cleft", 4, 0.0, 0.002, 0.5, 3.0);
  cq.plasticity = stdp_rule(0.00005, 0.0000525, 0.0, 0.004);
  cq.terminal.model = terminal_kind::quantal;
  cq.terminal.sites = 3;
  cq.terminal.ca_jump = 8e-4;
  cq.cleft.model = cleft_kind::kinetic;
  auto& cm = add("cleft_m", "in", "cleft", 3, 0.0, 0.002, 0.5, 3.0);
  cm.cleft.model = cleft_kind::metabotropic;
  cm.cleft.nt_half = 0.2;
  // Homeostatic scaling into a cleft: on a learning step the cleft reads
  // the weight after the update, on both engines.
  auto& cs = add("cleft_s", "in", "cleft", 3, 0.0, 0.002, 0.5, 3.0);
  cs.plasticity = scaling_rule;
  cs.cleft.model = cleft_kind::metabotropic;
  cs.cleft.nt_half = 0.2;
  auto& heb = add("heb", "in", "pls", 20, 0.0, 0.002, 0.5, 4.0);  // last: tests drop it
  heb.plasticity.rule = plasticity_rule::hebbian;
  heb.plasticity.eta = 1e-7;
  heb.plasticity.tau_rate = 50.0;
  heb.plasticity.interval = 2.0;
  heb.plasticity.oja = true;
  heb.plasticity.w_max = 0.004;
  add_record(net, "out", "spikes");
  add_record(net, "out", "v", {0, 5}, 1.0);
  return net;
}

// 65 given-time sources onto 1600 LIF cells (enough for three threads),
// all to all, through STDP and through a Hebbian rule learning every step
// (so every step's learning is shared among the threads): source 0 fires
// once, sources 1..64 twice in one step, every 2 ms. In the step's sorted
// spikes a source's two entries are adjacent and, after an odd number of
// others, straddle the CPU engine's chunks of 8 spikes a thread.
network repeated_sources_network() {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 60.0;
  add_model_population(net, "lif", "lif",
                       {{"cm", 0.2}, {"tau_m", 20.0}, {"e_l", -70.0}, {"v_th", -54.0}, {"v_reset", -60.0}, {"t_ref", 1.0}},
                       {receptor_desc::expsyn("exc", 5.0, 0.0), receptor_desc::expsyn("heb", 5.0, 0.0)}, "out", 1600);
  std::vector<given_spike> times;
  for (double t = 1.0; t < 60.0; t += 2.0) {
    times.push_back({t, 0, 0});
    for (std::int64_t i = 1; i <= 64; ++i) {
      times.push_back({t, i, 0});
      times.push_back({t + 0.04, i, 0});
    }
  }
  add_spike_source(net, "burst", 65, times, "out", "exc", 0.0);
  auto& stdp = net.projections.back();
  stdp.name = "stdp";
  stdp.weight = distribution::uniform(0.0, 0.002);
  stdp.delay = distribution::uniform(0.5, 2.0);
  stdp.plasticity.rule = plasticity_rule::stdp;
  stdp.plasticity.a_plus = 0.0001;
  stdp.plasticity.a_minus = 0.000105;
  stdp.plasticity.w_max = 0.004;
  projection_desc heb = net.projections.back();
  heb.name = "heb";
  heb.receptor = "heb";
  heb.plasticity = {};
  heb.plasticity.rule = plasticity_rule::hebbian;
  heb.plasticity.eta = 1e-7;
  heb.plasticity.tau_rate = 20.0;
  heb.plasticity.interval = 0.1;
  heb.plasticity.w_max = 0.004;
  net.projections.push_back(heb);
  add_record(net, "out", "spikes");
  return net;
}

// n LIF cells that never fire, each with a one-step pulse receptor per
// projection ("r0", "r1", ...: its conductance after an arrival's step is
// the weight that arrival delivered), and n given-time sources firing
// `times` [ms] each, one to one onto them through `terminals.size()`
// projections of weight w with the given terminals (delay 1 ms). The
// pulse conductances of all cells are recorded every `interval` ms.
network terminal_net(std::int64_t n, const std::vector<double>& times, const std::vector<terminal_desc>& terminals,
                     double w, double interval, double tstop) {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = tstop;
  std::vector<receptor_desc> receptors;
  for (std::size_t k = 0; k < terminals.size(); ++k)
    receptors.push_back(receptor_desc::of("r" + std::to_string(k), "pulsesyn", {{"duration", 0.1}, {"e", 0.0}}));
  add_model_population(net, "cell", "lif", {{"v_th", 100.0}}, receptors, "post", n);
  population_desc src;
  src.name = "pre";
  src.kind = population_kind::spike_times;
  src.size = n;
  for (std::int64_t i = 0; i < n; ++i)
    for (double t : times) src.spikes.push_back({t, i, 0});
  net.populations.push_back(src);
  for (std::size_t k = 0; k < terminals.size(); ++k) {
    projection_desc p = projection("pre", "post", "r" + std::to_string(k));
    p.name = "t" + std::to_string(k);
    p.rule = connect_rule::one_to_one;
    p.weight = distribution::constant(w);
    p.delay = distribution::constant(1.0);
    p.terminal = terminals[k];
    net.projections.push_back(p);
    add_record(net, "post", "r" + std::to_string(k) + ".g", {}, interval);
  }
  return net;
}

std::string one_projection_model() {
  return R"(
[simulation]
dt = 0.1
duration = 10
[cell.c]
model = "lif"
[[cell.c.receptor]]
name = "exc"
[[population]]
name = "in"
kind = "poisson"
size = 10
rate = 10
[[population]]
name = "p"
cell = "c"
size = 5
[[projection]]
name = "ff"
pre = "in"
post = "p"
receptor = "exc"
rule = "all_to_all"
weight = 0.001
)";
}

template <class T> void check_group_state(const group_storage<T>& g, const outcome& cpu) {
  for (int a = 0; a < g.narrays(); ++a) {
    const std::string name = g.cell_type + "." + g.array_name(a);
    CAPTURE(name);
    const auto it = std::find_if(cpu.state.begin(), cpu.state.end(), [&](const named_array& x) { return x.name == name; });
    REQUIRE(it != cpu.state.end());
    const auto& arr = g.array(a);
    REQUIRE(arr.size() == it->values.size());
    std::size_t diffs = 0;
    for (std::size_t i = 0; i < arr.size(); ++i) diffs += static_cast<double>(arr[i]) != it->values[i];
    CHECK(diffs == 0);
  }
}
template void check_group_state(const group_storage<float>&, const outcome&);
template void check_group_state(const group_storage<double>&, const outcome&);

}  // namespace ranvier::test
