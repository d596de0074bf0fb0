// Tests of the SWC reader: the files under tests/swc/good/ become the sections
// worked out by hand below (soma cylinders, where sections start, parent
// points, arcs, diameters, names), and every file under tests/swc/bad/ is
// rejected with the message and line its first two lines announce.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "host/errors.hpp"
#include "host/io/swc.hpp"
#include "support.hpp"

namespace {

using namespace ranvier;
namespace fs = std::filesystem;

using ranvier::test::contains;
using ranvier::test::count_lines;
using ranvier::test::error_of;

std::string good_file(const std::string& name) {
  return (fs::path(RANVIER_TEST_DATA_DIR) / "swc" / "good" / name).string();
}

// The expected values are sums of a few distances, each exact or one sqrt
// away, so they agree to a few ulps; 1e-12 relative leaves room for that and
// still catches any wrong convention (the smallest difference one would make
// here is far above 1e-6).
bool close(double got, double want) {
  return got == want || std::abs(got - want) <= 1e-12 * std::max(std::abs(got), std::abs(want));
}

struct expected_section {
  std::string name, tag, parent;
  double parent_x;
  int line;                   // of its first own point
  std::vector<double> arcs;   // [µm]
  std::vector<double> diams;  // [µm]
};

void check_sections(const swc_morphology& m, const std::vector<expected_section>& want) {
  REQUIRE(m.sections.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const section_desc& s = m.sections[i];
    const expected_section& w = want[i];
    INFO("section ", i, ": ", s.name, ", expected ", w.name);
    CHECK(s.name == w.name);
    CHECK(s.tag == w.tag);
    CHECK(s.parent == w.parent);
    CHECK(s.parent_x == w.parent_x);
    CHECK(s.where.file == m.file);
    CHECK(s.where.line == w.line);
    CHECK(s.where.column == 0);
    CHECK(s.where.key == "swc");
    CHECK_FALSE(s.has_discretization);
    REQUIRE(s.points.size() == w.arcs.size());
    for (std::size_t j = 0; j < w.arcs.size(); ++j) {
      INFO("point ", j);
      CAPTURE(s.points[j].arc);
      CAPTURE(w.arcs[j]);
      CAPTURE(s.points[j].diam);
      CAPTURE(w.diams[j]);
      CHECK(close(s.points[j].arc, w.arcs[j]));
      CHECK(close(s.points[j].diam, w.diams[j]));
    }
    CAPTURE(s.length());
    CHECK(close(s.length(), w.arcs.back()));
  }
}

// A soma cylinder of radius r [µm]: length and diameter 2r.
expected_section soma_of(double r, int line) {
  return {"soma", "soma", "", 1.0, line, {0.0, 2.0 * r}, {2.0 * r, 2.0 * r}};
}

}  // namespace

TEST_SUITE("model_file") {
  TEST_CASE("swc: a one-point soma is a cylinder of length and diameter 2r; neurites hang from its middle") {
    const auto m = read_swc(good_file("one_point_soma.swc"));
    CHECK(m.soma == swc_soma::one_point);
    check_sections(m, {soma_of(5.0, 2),
                       {"dend[0]", "dend", "soma", 0.5, 3, {0.0, 10.0}, {2.0, 1.0}},
                       {"axon[0]", "axon", "soma", 0.5, 5, {0.0, 20.0}, {1.5, 1.5}}});
    // The cylinder's side has the area of the sphere of radius 5 um.
    const auto& soma = m.sections[0];
    const double side = std::numbers::pi * soma.points[0].diam * soma.length();
    CAPTURE(side);
    CHECK(close(side, 4.0 * std::numbers::pi * 25.0));
  }

  TEST_CASE("swc: a three-point soma takes the centre's radius; branches open with their parent point") {
    const auto m = read_swc(good_file("three_point_soma.swc"));
    CHECK(m.soma == swc_soma::three_point);
    check_sections(m, {soma_of(4.0, 4),
                       // From side point 3 (a soma point, so not repeated).
                       {"apic[0]", "apic", "soma", 0.5, 7, {0.0, 10.0}, {2.0, 2.0}},
                       // Point 5 branches: both children repeat it first.
                       {"apic[1]", "apic", "apic[0]", 1.0, 9, {0.0, 5.0}, {2.0, 1.0}},
                       {"apic[2]", "apic", "apic[0]", 1.0, 10, {0.0, 10.0, 20.0}, {2.0, 1.0, 0.5}},
                       {"dend[0]", "dend", "soma", 0.5, 12, {0.0, 12.0}, {2.0, 2.0}}});
  }

  TEST_CASE("swc: a contour soma has the mean distance of its points from their centroid as radius") {
    const auto m = read_swc(good_file("contour_soma.swc"));
    CHECK(m.soma == swc_soma::contour);
    // The corners of a square of side 4 lie 2·√2 from its centre.
    check_sections(m, {soma_of(2.0 * std::sqrt(2.0), 3),
                       {"dend[0]", "dend", "soma", 0.5, 7, {0.0, 5.0}, {2.0, 2.0}}});
  }

  TEST_CASE("swc: without a soma the root opens the root section") {
    const auto m = read_swc(good_file("no_soma_axon.swc"));
    CHECK(m.soma == swc_soma::none);
    check_sections(m, {{"axon[0]", "axon", "", 1.0, 3, {0.0, 5.0, 17.0}, {1.0, 1.0, 0.5}},
                       {"axon[1]", "axon", "axon[0]", 1.0, 6, {0.0, 10.0}, {0.5, 0.5}},
                       {"axon[2]", "axon", "axon[0]", 1.0, 7, {0.0, 5.0, 10.0}, {0.5, 0.4, 0.4}}});
  }

  TEST_CASE("swc: parents may follow their children; names follow the line of the first own point") {
    const auto m = read_swc(good_file("parents_after_children.swc"));
    CHECK(m.soma == swc_soma::one_point);
    check_sections(m, {soma_of(3.0, 6),
                       {"dend[0]", "dend", "soma", 0.5, 4, {0.0, 10.0}, {2.0, 2.0}},
                       {"dend[1]", "dend", "soma", 0.5, 5, {0.0, 10.0}, {2.0, 2.0}}});
  }

  TEST_CASE("swc: a change of type mid-chain starts a section that opens with the last point of the other type") {
    const auto m = read_swc(good_file("type_change.swc"));
    check_sections(m, {soma_of(5.0, 3),
                       {"axon[0]", "axon", "soma", 0.5, 4, {0.0, 10.0}, {2.0, 2.0}},
                       {"type_7[0]", "type_7", "axon[0]", 1.0, 6, {0.0, 10.0, 20.0}, {2.0, 1.0, 1.0}},
                       {"axon[1]", "axon", "type_7[0]", 1.0, 8, {0.0, 10.0, 20.0}, {1.0, 1.0, 1.0}}});
  }

  TEST_CASE("swc: soma corner cases: coinciding contour points, a three-point soma out of tolerance") {
    SUBCASE("a contour whose points coincide takes the largest radius") {
      const auto m = parse_swc("1 1 0 0 0 2 -1\n2 1 0 0 0 3 1\n3 3 0 1 0 1 2\n4 3 0 4 0 1 3\n", "c.swc");
      CHECK(m.soma == swc_soma::contour);
      check_sections(m, {soma_of(3.0, 1), {"dend[0]", "dend", "soma", 0.5, 3, {0.0, 3.0}, {2.0, 2.0}}});
    }
    SUBCASE("side points 1% of r off are no three-point soma but a contour") {
      // Centre (0, 0, 0) with r = 10, sides at y = ±10.1: the centroid is the
      // centre and the mean distance (0 + 10.1 + 10.1)/3.
      const auto m = parse_swc("1 1 0 0 0 10 -1\n2 1 0 10.1 0 10 1\n3 1 0 -10.1 0 10 1\n", "t.swc");
      CHECK(m.soma == swc_soma::contour);
      check_sections(m, {soma_of(20.2 / 3.0, 1)});
    }
    SUBCASE("side points within 1e-3 r are a three-point soma") {
      const auto m = parse_swc("1 1 0 0 0 10 -1\n2 1 0 10.005 0 10.005 1\n3 1 0.005 -10 0 10 1\n", "t.swc");
      CHECK(m.soma == swc_soma::three_point);
      check_sections(m, {soma_of(10.0, 1)});
    }
  }

  TEST_CASE("swc: comments after the fields, tabs, CRLF line ends and a leading + are read") {
    const auto m = parse_swc("# header\r\n1\t2 0 0 0 +0.5 -1  # the root\r\n\r\n2 2 0 0 +8 0.5 1\r\n", "w.swc");
    check_sections(m, {{"axon[0]", "axon", "", 1.0, 2, {0.0, 8.0}, {1.0, 1.0}}});
    // A UTF-8 byte-order mark before the first line (an editor's) is not part of it.
    const auto b = parse_swc("\xEF\xBB\xBF" "1 2 0 0 0 0.5 -1\n2 2 0 0 8 0.5 1\n", "bom.swc");
    check_sections(b, {{"axon[0]", "axon", "", 1.0, 1, {0.0, 8.0}, {1.0, 1.0}}});
  }

  TEST_CASE("swc: every bad file is rejected with its message, file and line") {
    const auto files = ranvier::test::bad_files(std::string(RANVIER_TEST_DATA_DIR) + "/swc/bad", ".swc");
    CHECK(files.size() >= 12);
    for (const auto& [path, name, expect, line] : files) {
      INFO("bad SWC file: ", path);
      CAPTURE(expect);
      CAPTURE(line);
      const std::string msg = error_of([&] { read_swc(path); });
      CAPTURE(msg);
      CHECK_MESSAGE(!msg.empty(), "no model_error was thrown");
      CHECK(contains(msg, expect));
      CHECK(contains(msg, name + ":" + line + ":"));
      CHECK(contains(msg, "; valid: "));
      // Each bad file has exactly one fault, so one line of message.
      CHECK(count_lines(msg) == 1);
    }
  }

  TEST_CASE("swc: three different problems are all reported, in line order") {
    const std::string text =
        "1 1 0 0 0 5 -1\n"
        "5 3 0 5 0 1 9\n"    // line 2: unknown parent
        "2 3 0 5 0 0 1\n"    // line 3: radius 0
        "# a comment\n"
        "1 2 0 9 0 1 1\n";   // line 5: duplicate of line 1
    const std::string msg = error_of([&] { parse_swc(text, "three.swc"); });
    CAPTURE(msg);
    REQUIRE(count_lines(msg) == 3);
    const auto a = msg.find("three.swc:2: parent 9 of point 5 is not in the file");
    const auto b = msg.find("three.swc:3: radius 0.0 um is not positive");
    const auto c = msg.find("three.swc:5: id 1 is already used on line 1");
    CHECK(a != std::string::npos);
    CHECK(b != std::string::npos);
    CHECK(c != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
  }

  TEST_CASE("swc: a message lists at most 20 problems, then says how many more") {
    std::string text = "1 1 0 0 0 5 -1\n";
    for (int i = 2; i <= 26; ++i) text += std::to_string(i) + " 3 0 " + std::to_string(i) + " 0 -1 1\n";
    const std::string msg = error_of([&] { parse_swc(text, "many.swc"); });
    CAPTURE(msg);
    CHECK(count_lines(msg) == 21);
    CHECK(contains(msg, "many.swc:2: radius -1.0 um"));
    CHECK(contains(msg, "many.swc:21: radius -1.0 um"));
    CHECK_FALSE(contains(msg, "many.swc:22:"));
    CHECK(contains(msg, "\n... and 5 more problems"));
  }

  TEST_CASE("swc: a file that cannot be read is named in the error") {
    const std::string msg = error_of([] { read_swc(good_file("no_such_file.swc")); });
    CAPTURE(msg);
    CHECK(contains(msg, "no_such_file.swc: cannot open the SWC file: No such file or directory (looked for /"));
    CHECK(contains(msg, "valid: a readable SWC file"));
  }
}
