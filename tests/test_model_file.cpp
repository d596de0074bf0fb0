// Tests of the model file reader and the network checker: every malformed
// file under tests/model_files/bad/ is rejected with the message, file and
// line it announces in its first two lines (an expectation ending in $ ends
// the message); valid descriptions, from a file
// or built in C++, pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "host/model/check.hpp"
#include "host/errors.hpp"
#include "host/model/model.hpp"
#include "host/model/model_file.hpp"
#include "support.hpp"

namespace {

using namespace ranvier;
using ranvier::test::error_of;
namespace fs = std::filesystem;

using ranvier::test::contains;
using ranvier::test::count_lines;
using ranvier::test::read_text;


// A small network as the C++ builder would make it: no file, no locations.
network small_network() {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 50.0;

  cell_desc c;
  c.name = "pyr";
  c.area = 20000.0;
  mechanism_desc hh;
  hh.kind = "hh";
  hh.name = "hh";
  hh.params["gnabar"] = 0.12;
  c.mechanisms.push_back(hh);
  c.receptors.push_back(receptor_desc::expsyn("exc", 5.0, 0.0));
  c.init["v"] = distribution::normal(-65.0, 2.0);
  c.init["hh.m"] = distribution::uniform(0.0, 0.1);
  c.init["exc.g"] = distribution::constant(0.001);
  net.cells.push_back(c);

  population_desc pop;
  pop.name = "exc";
  pop.size = 100;
  pop.cell = "pyr";
  net.populations.push_back(pop);
  population_desc drive;
  drive.name = "drive";
  drive.kind = population_kind::poisson;
  drive.size = 20;
  drive.rate = 10.0;
  net.populations.push_back(drive);

  projection_desc pr;
  pr.pre = "drive";
  pr.post = "exc";
  pr.receptor = "exc";
  pr.rule = connect_rule::fixed_probability;
  pr.probability = 0.1;
  pr.weight = distribution::lognormal(-5.0, 0.5, 0.0, 0.1);
  pr.delay = distribution::uniform(0.5, 2.0);
  net.projections.push_back(pr);

  stimulus_desc st;
  st.population = "exc";
  st.cells = {0, 1};
  st.amp = {0.1, 0.2};
  st.start = 5.0;
  st.stop = 20.0;
  net.stimuli.push_back(st);

  record_desc rec;
  rec.population = "exc";
  rec.variable = "hh.m";
  rec.cells = {0};
  rec.interval = 0.5;
  net.records.push_back(rec);
  return net;
}

}  // namespace

TEST_SUITE("model_file") {
  TEST_CASE("every bad model file is rejected with its message, file and line") {
    const auto files = test::bad_files(std::string(RANVIER_TEST_DATA_DIR) + "/model_files/bad", ".toml");
    CHECK(files.size() >= 15);
    for (const auto& [path, name, expect, line] : files) {
      INFO("bad model file: ", path);
      CAPTURE(expect);
      CAPTURE(line);
      const std::string msg = error_of([&] { check(load_model_file(path)); });
      CAPTURE(msg);
      CHECK_MESSAGE(!msg.empty(), "no model_error was thrown");
      // An expectation ending in '$' ends the message (what would be valid, whole).
      const bool at_end = !expect.empty() && expect.back() == '$';
      const std::string want = at_end ? expect.substr(0, expect.size() - 1) : expect;
      CHECK(contains(msg, want));
      if (at_end) CHECK(msg.ends_with(want));
      CHECK(contains(msg, name));
      // FILE:LINE: as the location prints it.
      CHECK(contains(msg, name + ":" + line + ":"));
    }
  }

  TEST_CASE("a small valid model parses with its values, defaults and locations") {
    const std::string text = R"(# a small model
[simulation]
dt = 0.05
duration = 20
seed = 7
precision = "single"
engine = "cpu"

[cell.pyr]
diam = 10.0
length = 20.0
[[cell.pyr.mechanism]]
kind = "leak"
name = "pas"
g = 0.0002
[[cell.pyr.receptor]]
name = "exc"
tau = 2.0
e = 0.0
[cell.pyr.init]
v = -70.0
exc.g = { dist = "uniform", low = 0.0, high = 0.01 }

[[population]]
name = "exc"
size = 4
cell = "pyr"

[[population]]
name = "in"
kind = "poisson"
size = 3
rate = 5

[[projection]]
pre = "in"
post = "exc"
receptor = "exc"
rule = "list"
pairs = [[0, 1], [2, 3]]
weight = { dist = "lognormal", mu = -4.0, sigma = 0.3, high = 1.0 }

[[record]]
population = "exc"
variable = "pas.g"
)";
    network net;
    {
      const std::string msg = error_of([&] { net = parse_model(text, "small.toml"); });
      CAPTURE(msg);
      REQUIRE(msg.empty());
    }
    CHECK(net.source == "small.toml");
    CHECK(net.sim.dt == 0.05);
    CHECK(net.sim.duration == 20.0);  // an integer where a number is expected
    CHECK(net.sim.seed == 7u);
    CHECK(net.sim.prec == precision::single);
    CHECK(net.sim.engine == engine_choice::cpu);
    CHECK(net.sim.mode == arith_mode::deterministic);
    CHECK(net.sim.celsius == 6.3);

    REQUIRE(net.cells.size() == 1);
    const cell_desc& c = net.cells[0];
    CHECK(c.name == "pyr");
    CHECK(c.area == std::numbers::pi * 10.0 * 20.0);  // NEURON's cylinder
    CHECK(c.cm == 1.0);
    REQUIRE(c.mechanisms.size() == 1);
    CHECK(c.mechanisms[0].kind == "leak");
    CHECK(c.mechanisms[0].name == "pas");
    CHECK(c.mechanisms[0].params.at("g").value == 0.0002);
    CHECK(c.mechanisms[0].loc("g").line == 15);
    CHECK(c.mechanisms[0].loc("g").key == "cell.pyr.mechanism[0] 'pas'.g");
    REQUIRE(c.receptors.size() == 1);
    CHECK(c.receptors[0].kind == "expsyn");
    REQUIRE(c.init.count("v") == 1);
    CHECK(c.init.at("v").is_constant());
    CHECK(c.init.at("v").value == -70.0);
    REQUIRE(c.init.count("exc.g") == 1);
    CHECK(c.init.at("exc.g").type == distribution::kind::uniform);
    CHECK(c.init.at("exc.g").where.line == 22);

    REQUIRE(net.populations.size() == 2);
    CHECK(net.populations[1].kind == population_kind::poisson);
    CHECK(net.populations[1].rate == 5.0);
    CHECK(net.populations[1].stop == infinity);
    CHECK(net.find_population("in") == &net.populations[1]);
    CHECK(net.find_population("out") == nullptr);
    CHECK(net.find_cell("pyr") == &net.cells[0]);

    REQUIRE(net.projections.size() == 1);
    const projection_desc& pr = net.projections[0];
    CHECK(pr.name == "in->exc");
    CHECK(pr.rule == connect_rule::list);
    REQUIRE(pr.pairs.size() == 2);
    CHECK(pr.pairs[1] == std::pair<std::int64_t, std::int64_t>{2, 3});
    CHECK(pr.weight.type == distribution::kind::lognormal);
    CHECK(pr.weight.low == 0.0);
    CHECK(pr.weight.high == 1.0);
    CHECK(pr.delay.is_constant());
    CHECK(pr.delay.value == 1.0);
    CHECK(pr.autapses);
    CHECK(pr.where.line == 35);
    CHECK(pr.where.key == "projection[0] 'in->exc'");
    CHECK(to_string(pr.loc("rule")) == "small.toml:39:8: projection[0] 'in->exc'.rule");
    // A key not written points at its element.
    CHECK(to_string(pr.loc("delay")) == "small.toml:35:1: projection[0] 'in->exc'.delay");

    // The record names a state the leak mechanism does not have.
    const std::string msg = error_of([&] { check(net); });
    CHECK(contains(msg, "small.toml:45:12: record[0].variable: 'pas.g' is not a variable"));
    net.records[0].variable = "exc.g";
    CHECK(error_of([&] { check(net); }).empty());
  }

  TEST_CASE("form errors are all reported, in the order of the file") {
    const std::string text = R"([simulation]
duration = "long"
dt = nan
mode = "slow"
[[population]]
size = 2.0
)";
    const std::string msg = error_of([&] { parse_model(text, "form.toml"); });
    CAPTURE(msg);
    CHECK(count_lines(msg) == 6);
    CHECK(contains(msg, "form.toml:2:12: simulation.duration: expected a number, got a string (\"long\")"));
    CHECK(contains(msg, "form.toml:3:6: simulation.dt: nan is not a finite number"));
    CHECK(contains(msg, "form.toml:4:8: simulation.mode: \"slow\" is not one of the allowed values; valid: \"deterministic\", \"fast\""));
    CHECK(contains(msg, "form.toml:5:1: population[0].name: required key 'name' is missing"));
    CHECK(contains(msg, "form.toml:5:1: population[0].cell: required key 'cell' is missing"));
    CHECK(contains(msg, "form.toml:6:8: population[0].size: expected an integer, got a floating-point number (2.0)"));
    CHECK(msg.find("simulation.duration") < msg.find("simulation.dt"));
  }

  TEST_CASE("a list's pairs with weights and delays: read, and checked pair by pair") {
    const auto model = [](const std::string& pairs, const std::string& extra) {
      return R"([simulation]
duration = 10
dt = 0.1
[cell.c]
area = 100.0
[[cell.c.receptor]]
name = "exc"
[[population]]
name = "p"
cell = "c"
size = 3
[[projection]]
pre = "p"
post = "p"
receptor = "exc"
rule = "list"
pairs = )" + pairs + "\n" + extra;
    };
    network net = parse_model(model("[[0, 1, 0.002, 1.5], [2, 1, 0.004, 0.3]]", ""), "w.toml");
    const projection_desc& pr = net.projections[0];
    REQUIRE(pr.pairs.size() == 2);
    CHECK(pr.pair_weight == std::vector<double>{0.002, 0.004});
    CHECK(pr.pair_delay == std::vector<double>{1.5, 0.3});
    CHECK(error_of([&] { check(net); }).empty());
    net = parse_model(model("[[0, 1, 0.002], [2, 1, 4]]", "delay = 2.0"), "w.toml");
    CHECK(net.projections[0].pair_weight == std::vector<double>{0.002, 4.0});
    CHECK(net.projections[0].pair_delay.empty());
    CHECK(net.projections[0].delay.value == 2.0);

    const auto form = [&](const std::string& pairs, const std::string& extra) {
      return error_of([&] { parse_model(model(pairs, extra), "w.toml"); });
    };
    CHECK(contains(form("[[0, 1, 0.002], [2, 1]]", ""), "w.toml:17:25: projection[0] 'p->p'.pairs[1]: 2 values, where "
                                                        "pairs[0] has 3; valid: every pair the same length"));
    CHECK(contains(form("[[0, 1, 0.002]]", "weight = 0.1"),
                   "projection[0] 'p->p'.weight: the pairs give each connection's weight; valid: either weight or "
                   "weights in the pairs"));
    CHECK(contains(form("[[0, 1, 0.002, 1.0]]", "delay = 0.1"), "the pairs give each connection's delay"));
    CHECK(contains(form("[[0, 1, 0.1, 1.0, 7]]", ""), "pairs[0]: expected 2 to 4 values, got 5"));
    CHECK(contains(form("[[0, 1, \"x\"]]", ""), "pairs[0][2]: expected a number, got a string"));
    CHECK(contains(form("[[0, 1]]", ""), "weight: required key 'weight' is missing"));

    const auto checked = [&](const std::string& pairs) {
      network n = parse_model(model(pairs, ""), "w.toml");
      return error_of([&] { check(n); });
    };
    CHECK(contains(checked("[[0, 1, -0.002, 1.0]]"), "pairs[0]: weight -0.002 uS is negative; valid: a conductance >= 0"));
    CHECK(contains(checked("[[0, 1, 0.002, 1.0], [1, 2, 0.001, 0.05]]"),
                   "pairs[1]: delay 0.05 ms is shorter than one step (dt = 0.1 ms)"));
    CHECK(contains(checked("[[0, 1, 9e6, 1.0]]"), "pairs[0]: weight 9000000.0 uS is outside [0.0, 8000000.0]"));
  }

  TEST_CASE("a network built in C++ passes check") {
    const network net = small_network();
    const std::string msg = error_of([&] { check(net); });
    CAPTURE(msg);
    CHECK(msg.empty());
  }

  TEST_CASE("check reports every problem at once, one per line, by key path") {
    network net = small_network();
    net.sim.celsius = 200.0;
    net.projections[0].probability = 2.0;
    net.cells[0].receptors[0].params["tau"] = 0.0;
    net.records[0].variable = "hh.x";
    const std::string msg = error_of([&] { check(net); });
    CAPTURE(msg);
    CHECK(count_lines(msg) == 4);
    // No file: each line starts with the key path.
    CHECK(contains(msg, "simulation.celsius: 200.0 degC is outside (-273.15, 100]"));
    CHECK(contains(msg, "\nprojection[0] 'drive->exc'.probability: 2.0 is outside [0, 1]; valid: a probability between 0 and 1"));
    CHECK(contains(msg, "\ncell.pyr.receptor[0] 'exc'.tau: 0.0 ms is not positive"));
    CHECK(contains(msg, "\nrecord[0].variable: 'hh.x' is not a variable"));
    CHECK(msg.rfind("simulation.celsius", 0) == 0);
  }

  TEST_CASE("NaN in a network built in C++ is rejected") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    network net = small_network();
    std::string where;
    SUBCASE("dt") {
      net.sim.dt = nan;
      where = "simulation.dt: nan";
    }
    SUBCASE("weight") {
      net.projections[0].weight = distribution::constant(nan);
      where = "projection[0] 'drive->exc'.weight: nan is not a finite number";
    }
    SUBCASE("normal sd") {
      net.projections[0].delay = distribution::normal(1.0, nan, 0.5, 2.0);
      where = "projection[0] 'drive->exc'.delay.sd: sd = nan is not positive";
    }
    SUBCASE("probability") {
      net.projections[0].probability = nan;
      where = "projection[0] 'drive->exc'.probability: nan is outside [0, 1]";
    }
    SUBCASE("capacitance") {
      net.cells[0].cm = nan;
      where = "cell.pyr.cm: nan is not a finite number";
    }
    SUBCASE("mechanism parameter") {
      net.cells[0].mechanisms[0].params["gkbar"] = nan;
      where = "cell.pyr.mechanism[0].gkbar: nan is not a finite number";
    }
    SUBCASE("initial value") {
      net.cells[0].init["v"] = distribution::constant(nan);
      where = "cell.pyr.init.v: nan is not a finite number";
    }
    SUBCASE("stimulus amplitude") {
      net.stimuli[0].amp[1] = nan;
      where = "stimulus[0].amp: amp[1] = nan is not a finite number";
    }
    SUBCASE("poisson stop") {
      net.populations[1].stop = nan;
      where = "population[1] 'drive'.stop: stop = nan ms is not after start";
    }
    SUBCASE("record interval") {
      net.records[0].interval = nan;
      where = "record[0].interval: interval = nan ms";
    }
    const std::string msg = error_of([&] { check(net); });
    CAPTURE(msg);
    CHECK(count_lines(msg) == 1);
    CHECK(contains(msg, where));
  }

  TEST_CASE("check enforces the capacities of a cell group") {
    network net = small_network();
    SUBCASE("mechanisms") {
      for (int i = 0; i < 16; ++i) {
        mechanism_desc m;
        m.kind = "leak";
        m.name = "leak" + std::to_string(i);
        net.cells[0].mechanisms.push_back(m);
      }
      CHECK(contains(error_of([&] { check(net); }), "cell.pyr.mechanism: 17 mechanisms; valid: at most 16"));
    }
    SUBCASE("receptors") {
      for (int i = 0; i < 8; ++i) net.cells[0].receptors.push_back(receptor_desc::expsyn("r" + std::to_string(i), 1.0, 0.0));
      CHECK(contains(error_of([&] { check(net); }), "cell.pyr.receptor: 9 receptors; valid: at most 8"));
    }
    SUBCASE("stimuli, counted over every population of a cell type") {
      population_desc other = net.populations[0];
      other.name = "exc2";
      net.populations.push_back(other);
      for (int i = 0; i < 16; ++i) {
        stimulus_desc s = net.stimuli[0];
        s.population = i % 2 ? "exc" : "exc2";
        net.stimuli.push_back(s);
      }
      const std::string msg = error_of([&] { check(net); });
      CAPTURE(msg);
      CHECK(count_lines(msg) == 1);
      CHECK(contains(msg, "stimulus[16]: cell type 'pyr' has 17 stimuli on its populations; valid: at most 16"));
    }
  }

  TEST_CASE("fixed_total_number: read with its total, multapses implied; its errors") {
    const auto model = [](const std::string& extra) {
      return R"([simulation]
duration = 10
dt = 0.1
[cell.c]
area = 100.0
[[cell.c.receptor]]
name = "exc"
[[population]]
name = "p"
cell = "c"
size = 3
[[projection]]
pre = "p"
post = "p"
receptor = "exc"
weight = 0.001
rule = "fixed_total_number"
)" + extra;
    };
    network net = parse_model(model("total = 7\n"), "t.toml");
    CHECK(net.projections[0].rule == connect_rule::fixed_total_number);
    CHECK(net.projections[0].total == 7);
    CHECK(net.projections[0].multapses);
    CHECK(error_of([&] { check(net); }).empty());
    CHECK(contains(error_of([&] { parse_model(model(""), "t.toml"); }),
                   "projection[0] 'p->p'.total: required key 'total' is missing"));
    CHECK(contains(error_of([&] { parse_model(model("total = 7\nindegree = 2\n"), "t.toml"); }),
                   "t.toml:19:12: projection[0] 'p->p'.indegree: 'indegree' applies only when rule = "
                   "\"fixed_indegree\""));
    const auto checked = [&](const std::string& extra) {
      network n = parse_model(model(extra), "t.toml");
      return error_of([&] { check(n); });
    };
    CHECK(contains(checked("total = -1\n"), "t.toml:18:9: projection[0] 'p->p'.total: -1 is negative; valid: an integer >= 0"));
    CHECK(contains(checked("total = 7\nmultapses = false\n"),
                   "projection[0] 'p->p'.multapses: fixed_total_number draws its pairs with replacement; valid: "
                   "multapses = true (or leave it out)"));
    network one = parse_model(model("total = 7\nautapses = false\n"), "t.toml");
    one.populations[0].size = 1;
    CHECK(contains(error_of([&] { check(one); }), "7 connections, but 'p' has no cell to draw them from"));
    // Another rule does not take `total`.
    std::string text = model("total = 7\n");
    text.replace(text.find("\"fixed_total_number\""), 20, "\"all_to_all\"");
    CHECK(contains(error_of([&] { parse_model(text, "t.toml"); }),
                   "'total' applies only when rule = \"fixed_total_number\""));
  }

  TEST_CASE("indegree without multapses is bounded by the distinct sources") {
    network net = small_network();
    projection_desc& pr = net.projections[0];
    pr.pre = pr.post = "exc";
    pr.rule = connect_rule::fixed_indegree;
    pr.indegree = 100;  // the population's size
    CHECK(error_of([&] { check(net); }).empty());
    pr.autapses = false;  // one source fewer: the cell itself
    CHECK(contains(error_of([&] { check(net); }), "100 exceeds the 99 distinct sources in 'exc' (without autapses)"));
    pr.multapses = true;
    CHECK(error_of([&] { check(net); }).empty());
  }

  TEST_CASE("locations print as FILE:LINE:COL: KEY, or the key path alone") {
    CHECK(to_string(source_loc{"m.toml", 3, 7, "simulation.dt"}) == "m.toml:3:7: simulation.dt");
    CHECK(to_string(source_loc{"", 0, 0, "simulation.dt"}) == "simulation.dt");
    CHECK(to_string(source_loc{"m.toml", 0, 0, "simulation"}) == "m.toml: simulation");

    located e;
    e.where = {"m.toml", 4, 1, "population[0] 'exc'"};
    e.keys["size"] = {"m.toml", 6, 8, "population[0] 'exc'.size"};
    CHECK(to_string(e.loc("size")) == "m.toml:6:8: population[0] 'exc'.size");
    CHECK(to_string(e.loc("cell")) == "m.toml:4:1: population[0] 'exc'.cell");
    CHECK(to_string(located{}.loc("dt")) == "dt");
  }

  TEST_CASE("distribution ranges") {
    CHECK(distribution::constant(2.0).min_value() == 2.0);
    CHECK(distribution::constant(2.0).max_value() == 2.0);
    CHECK(distribution::uniform(1.0, 3.0).min_value() == 1.0);
    CHECK(distribution::uniform(1.0, 3.0).max_value() == 3.0);
    CHECK(distribution::normal(0.0, 1.0).min_value() == -infinity);
    CHECK(distribution::normal(0.0, 1.0, -2.0, 2.0).max_value() == 2.0);
    CHECK(distribution::lognormal(0.0, 1.0, -5.0).min_value() == 0.0);  // never negative
    CHECK(distribution::lognormal(0.0, 1.0).max_value() == infinity);
    CHECK(std::string(to_string(connect_rule::fixed_indegree)) == "fixed_indegree");
    CHECK(std::string(to_string(engine_choice::automatic)) == "auto");
    CHECK(std::string(to_string(precision::double_)) == "double");
    CHECK(std::string(to_string(arith_mode::fast)) == "fast");
  }

  TEST_CASE("clip bounds far in a tail are rejected") {
    network net = small_network();
    net.projections[0].delay = distribution::normal(1.0, 0.1, 3.0, 4.0);  // 20 sd above the mean
    CHECK(contains(error_of([&] { check(net); }), "projection[0] 'drive->exc'.delay: only a fraction"));
  }

  TEST_CASE("a cable cell's values are checked however the network was built") {
    // A section with only `frequency` is the d_lambda rule at that frequency.
    network net = parse_model(R"([simulation]
dt = 0.025
duration = 1.0
[cell.c]
[[cell.c.section]]
name = "soma"
tag = "soma"
length = 20.0
diam = 20.0
frequency = 1000.0
[[cell.c.membrane]]
region = "soma"
cm = 2.0
[[population]]
name = "p"
size = 1
cell = "c"
)",
                              "freq.toml");
    const auto& sec = net.cells[0].morphology.sections.at(0);
    CHECK(sec.has_discretization);
    CHECK(sec.discretization.type == discretization_desc::rule::d_lambda);
    CHECK(sec.discretization.frequency == 1000.0);
    CHECK(sec.discretization.d_lambda == 0.1);
    CHECK_NOTHROW(check(net));
    // Values set in C++, with no key of a file behind them, are checked too.
    net.cells[0].membrane[0].cm = -1.0;
    net.cells[0].morphology.discretization.type = discretization_desc::rule::nseg;
    net.cells[0].morphology.discretization.nseg = 0;
    const std::string msg = error_of([&] { check(net); });
    CHECK(contains(msg, "cell.c.membrane[0].cm"));
    CHECK(contains(msg, "nseg = 0; valid: a number of segments between 1 and 100000"));
  }

  TEST_CASE("the complete example of docs/model-file.md is valid") {
    const fs::path doc = fs::path(RANVIER_TEST_DATA_DIR) / ".." / "docs" / "model-file.md";
    const std::string text = read_text(doc.string());
    REQUIRE(!text.empty());
    const auto section = text.find("## A complete example");
    REQUIRE(section != std::string::npos);
    const auto open = text.find("```toml\n", section);
    REQUIRE(open != std::string::npos);
    const auto begin = open + 8;
    const auto end = text.find("```", begin);
    REQUIRE(end != std::string::npos);
    const std::string msg = error_of([&] { check(parse_model(text.substr(begin, end - begin), "example.toml")); });
    CAPTURE(msg);
    CHECK(msg.empty());
  }
}
