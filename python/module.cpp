// The Python binding: host/session.hpp and the model reader, nothing more.
// A model comes in as text (a TOML file's) or as dicts and lists mirroring
// the file's tables, turned here into TOML tables for the one reader and
// checker; results go out as NumPy arrays that own the engine's vectors
// (moved, not copied). The friendly layer is python/ranvier/__init__.py.
// Nothing here knows a model's keys, so a key added to the description
// later needs no change here.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "host/engines/engine.hpp"
#include "host/errors.hpp"
#include "host/model/model_file.hpp"
#include "host/model/model_table.hpp"
#include "host/run.hpp"
#include "host/session.hpp"

namespace py = pybind11;
using namespace ranvier;

namespace {

// A vector handed to NumPy without a copy: the array owns it.
template <class T> py::array_t<T> owned(std::vector<T>&& v, std::vector<py::ssize_t> shape = {}) {
  auto* p = new std::vector<T>(std::move(v));
  py::capsule owner(p, [](void* q) { delete static_cast<std::vector<T>*>(q); });
  if (shape.empty()) shape = {static_cast<py::ssize_t>(p->size())};
  return py::array_t<T>(shape, p->data(), owner);
}

std::string type_of(py::handle v) { return py::str(py::type::handle_of(v).attr("__name__")).cast<std::string>(); }

[[noreturn]] void bad_value(const std::string& path, const std::string& what,
                            const std::string& valid = "a dict (a table), a list (an array), a str, a bool, an int or "
                                                       "a float (NumPy's too)") {
  throw model_error(fmt::format("{}: {}; valid: {}", path, what, valid));
}

// A Python value as a TOML node; `path` names it in messages
// ("population[0].size").
void insert_value(toml::table& t, const std::string& key, py::handle v, const std::string& path);
toml::table to_table(py::handle d, const std::string& path);

toml::array to_array(py::handle seq, const std::string& path) {
  toml::array a;
  py::object o = py::reinterpret_borrow<py::object>(seq);
  py::list items(py::isinstance<py::array>(seq) ? o.attr("tolist")() : o);
  for (std::size_t i = 0; i < items.size(); ++i) {
    toml::table holder;  // one value converted through the same path
    insert_value(holder, "x", items[i], fmt::format("{}[{}]", path, i));
    a.push_back(std::move(*holder.get("x")));
  }
  return a;
}

void insert_value(toml::table& t, const std::string& key, py::handle v, const std::string& path) {
  if (v.is_none()) bad_value(path, "None", "a value, or leave the key out for its default");
  if (py::isinstance<py::bool_>(v) || type_of(v) == "bool_") {
    t.insert_or_assign(key, v.cast<bool>());
  } else if (py::isinstance<py::str>(v)) {
    t.insert_or_assign(key, v.cast<std::string>());
  } else if (PyDict_Check(v.ptr()) || py::hasattr(v, "keys")) {
    t.insert_or_assign(key, to_table(v, path));
  } else if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr()) || py::isinstance<py::array>(v)) {
    t.insert_or_assign(key, to_array(v, path));
  } else if (PyLong_Check(v.ptr()) || (!PyFloat_Check(v.ptr()) && PyIndex_Check(v.ptr()))) {
    auto i = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
    if (!i) throw py::error_already_set();
    int overflow = 0;
    const long long x = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
    if (overflow)
      bad_value(path, fmt::format("the integer {} does not fit in 64 bits", py::str(i).cast<std::string>()),
                "an integer from -2^63 to 2^63 - 1");
    t.insert_or_assign(key, static_cast<std::int64_t>(x));
  } else if (PyFloat_Check(v.ptr()) || py::hasattr(v, "__float__")) {
    auto f = py::reinterpret_steal<py::object>(PyNumber_Float(v.ptr()));
    if (!f) throw py::error_already_set();
    t.insert_or_assign(key, PyFloat_AsDouble(f.ptr()));
  } else {
    bad_value(path, fmt::format("a Python {}", type_of(v)));
  }
}

toml::table to_table(py::handle d, const std::string& path) {
  toml::table t;
  for (auto item : py::reinterpret_borrow<py::object>(d).attr("items")()) {
    auto kv = item.cast<py::tuple>();
    if (!py::isinstance<py::str>(kv[0]))
      bad_value(path.empty() ? std::string("(the top level)") : path, fmt::format("a key of type {}", type_of(kv[0])) +
                                                                          " (keys are strings)");
    const std::string key = kv[0].cast<std::string>();
    insert_value(t, key, kv[1], path.empty() ? key : path + "." + key);
  }
  return t;
}

template <class E> E choice(const std::string& what, const std::string& s,
                            std::initializer_list<std::pair<const char*, E>> options) {
  std::string valid;
  for (const auto& [w, e] : options) {
    if (s == w) return e;
    valid += (valid.empty() ? "\"" : ", \"") + std::string(w) + '"';
  }
  throw model_error(fmt::format("{} \"{}\"; valid: {}", what, s, valid));
}

// A session and whether run() is stepping it with the GIL released: then
// another Python thread must not touch it (every other call holds the GIL
// throughout, so the flag needs no lock).
struct py_session {
  std::unique_ptr<session> s;
  bool running = false;
  session& use() {
    if (running)
      throw model_error("the simulation is running (run() in another thread); valid: call it once run() returns");
    return *s;
  }
};

}  // namespace

PYBIND11_MODULE(_ranvier, m) {
  m.doc() = "Ranvier's engine (host/session.hpp); use the ranvier package, not this module";
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    py::module_ mod = py::module_::import("ranvier._errors");
    const auto raise = [&](const char* cls, const char* msg) {
      PyErr_SetString(mod.attr(cls).ptr(), msg);
    };
    try {
      std::rethrow_exception(p);
    } catch (const model_error& e) {
      raise("ModelError", e.what());
    } catch (const resource_error& e) {
      raise("ResourceError", e.what());
    } catch (const io_error& e) {
      raise("OutputError", e.what());
    } catch (const cuda_error& e) {
      raise("CudaError", e.what());
    } catch (const internal_error& e) {
      raise("InternalError", e.what());
    }
  });

  py::class_<network>(m, "Network").def_property_readonly("source", [](const network& n) { return n.source; });

  m.def("load", [](const std::string& path) { return load_model_file(path); }, py::arg("path"),
        "Reads and checks the form of a model file (TOML).");
  m.def("parse", [](const std::string& text, const std::string& source) { return parse_model(text, source); },
        py::arg("text"), py::arg("source") = "<text>");
  m.def(
      "from_tables",
      [](py::dict tables, const std::string& source) { return parse_model(to_table(tables, ""), source); },
      py::arg("tables"), py::arg("source") = "<python>",
      "Reads a model from dicts and lists shaped as the model file's tables.");
  m.def("cuda_available", [] {
    std::string why;
    const bool ok = cuda_available(&why);
    return py::make_tuple(ok, why);
  });

  py::class_<py_session>(m, "Session")
      .def(py::init([](const network& net, const std::string& engine, const std::string& prec, const std::string& mode,
                       std::optional<std::uint64_t> seed, int threads, bool progress) {
             session_options o;
             if (!engine.empty())
               o.engine = choice<engine_choice>("engine", engine,
                                                {{"auto", engine_choice::automatic},
                                                 {"cpu", engine_choice::cpu},
                                                 {"cuda", engine_choice::cuda}});
             if (!prec.empty())
               o.prec = choice<precision>("precision", prec, {{"single", precision::single}, {"double", precision::double_}});
             if (!mode.empty())
               o.mode = choice<arith_mode>("mode", mode,
                                           {{"deterministic", arith_mode::deterministic}, {"fast", arith_mode::fast}});
             if (threads < 0) throw model_error(fmt::format("threads {}; valid: 0 (all the machine's) or more", threads));
             o.seed = seed;
             o.threads = threads;
             o.progress = progress;
             py::gil_scoped_release unlocked;
             return py_session{std::make_unique<session>(net, o)};
           }),
           py::arg("network"), py::arg("engine") = "", py::arg("precision") = "", py::arg("mode") = "",
           py::arg("seed") = py::none(), py::arg("threads") = 0, py::arg("progress") = true)
      .def("run",
           [](py_session& self, double ms) {
             bool interrupted = false;
             run_status st;
             session& sess = self.use();
             self.running = true;
             try {
               py::gil_scoped_release unlocked;
               // Ctrl-C: Python's handler only marks it; looked at between chunks.
               st = sess.run(ms, [&] {
                 py::gil_scoped_acquire locked;
                 if (PyErr_CheckSignals() != 0) interrupted = true;
                 return interrupted;
               });
             } catch (...) {
               self.running = false;
               throw;
             }
             self.running = false;
             if (interrupted) throw py::error_already_set();
             if (st == run_status::numerical_failure) {
               PyErr_SetString(py::module_::import("ranvier._errors").attr("NumericalError").ptr(),
                               sess.failure().c_str());
               throw py::error_already_set();
             }
           })
      .def_property_readonly("step", [](py_session& self) { return self.use().step(); })
      .def_property_readonly("time", [](py_session& self) { return self.use().time(); })
      .def_property_readonly("dt", [](py_session& self) { return self.use().dt(); })
      .def_property_readonly("engine", [](py_session& self) { return self.use().engine_description(); })
      .def("get",
           [](py_session& self, const std::string& pop, const std::string& var) {
             std::uint32_t cols = 1;
             auto v = self.use().get(pop, var, cols);
             if (cols == 1) return owned(std::move(v));
             const auto rows = static_cast<py::ssize_t>(v.size() / cols);
             return owned(std::move(v), {rows, static_cast<py::ssize_t>(cols)});
           })
      .def("set",
           [](py_session& self, const std::string& pop, const std::string& var,
              py::array_t<double, py::array::c_style | py::array::forcecast> values) {
             std::vector<double> v(values.data(), values.data() + values.size());
             self.use().set(pop, var, v);
           })
      .def("variables", [](py_session& self, const std::string& pop) { return self.use().variables(pop); })
      .def("weights", [](py_session& self, const std::string& proj) { return owned(self.use().weights(proj)); })
      .def("connections",
           [](py_session& self, const std::string& proj) {
             std::vector<std::uint32_t> pre, post;
             self.use().connections(proj, pre, post);
             return py::make_tuple(owned(std::move(pre)), owned(std::move(post)));
           })
      .def("set_weights",
           [](py_session& self, const std::string& proj,
              py::array_t<double, py::array::c_style | py::array::forcecast> w) {
             self.use().set_weights(proj, std::vector<double>(w.data(), w.data() + w.size()));
           })
      .def("update", [](py_session& self, const network& net) { self.use().update(net); })
      .def("state",
           [](py_session& self) {
             py::dict d;
             for (auto& a : self.use().state()) d[py::str(a.name)] = owned(std::move(a.values));
             return d;
           })
      .def("populations",
           [](py_session& self) {
             py::list out;
             for (const auto& p : self.use().summary().populations) out.append(py::make_tuple(p.name, p.size));
             return out;
           })
      .def("spikes",
           [](py_session& self) {
             const session_spikes& sp = self.use().spikes();
             std::vector<double> t(sp.step.size());
             for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<double>(sp.step[i]) * self.use().dt();
             py::dict d;
             d["time_ms"] = owned(std::move(t));
             d["population"] = owned(std::vector<std::int32_t>(sp.population));
             d["index"] = owned(std::vector<std::uint32_t>(sp.index));
             return d;
           })
      .def("traces",
           [](py_session& self) {
             py::list out;
             for (const auto& t : self.use().traces()) {
               if (!t.samples) continue;
               std::vector<double> time(t.steps.size());
               for (std::size_t i = 0; i < time.size(); ++i) time[i] = static_cast<double>(t.steps[i]) * self.use().dt();
               const auto cols = static_cast<py::ssize_t>(t.columns.size());
               const auto rows = static_cast<py::ssize_t>(t.steps.size());
               py::dict d;
               d["population"] = t.population;
               d["projection"] = t.projection;
               d["variable"] = t.variable;
               d["columns"] = t.columns;
               d["time_ms"] = owned(std::move(time));
               d["values"] = owned(std::vector<double>(t.values), {rows, cols});
               out.append(d);
             }
             return out;
           })
      .def("clear_recordings", [](py_session& self) { self.use().clear_recordings(); })
      .def("summary_json", [](py_session& self) { return summary_json(self.use().summary()); });
}
