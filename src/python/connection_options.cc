// python/connection_options.cc: ignite_tf._core.ConnectionOptions. Every field is a property
// under its Python keyword name; timeouts are seconds (<= 0: none). No repr: it holds secrets.
#include "python/connection_options.h"

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "python/errors.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

double SecondsOf(absl::Duration d) {
  return d == absl::InfiniteDuration() ? 0.0 : absl::ToDoubleSeconds(d);
}

// A read-write property for the string member `field(options)` points to.
template <typename Field>
void StringProperty(py::class_<ConnectionOptions>& c, const char* name, Field field) {
  c.def_property(
      name, [field](const ConnectionOptions& o) { return *field(o); },
      [field](ConnectionOptions& o, std::string value) { *field(o) = std::move(value); });
}

}  // namespace

py::dict TlsKeywords(const TlsOptions& tls) {
  py::dict out;
  if (tls.enabled.has_value()) out["tls"] = *tls.enabled;
  for (auto [name, value] : {std::pair{"ca_file", &tls.ca_file},
                             {"ca_dir", &tls.ca_dir},
                             {"certfile", &tls.certfile},
                             {"keyfile", &tls.keyfile},
                             {"cert_password", &tls.cert_password},
                             {"tls_server_name", &tls.tls_server_name}}) {
    if (!value->empty()) out[name] = *value;
  }
  if (tls.tls_insecure_skip_verify) out["tls_insecure_skip_verify"] = true;
  return out;
}

void RegisterConnectionOptions(py::module_& m) {
  py::class_<ConnectionOptions> c(m, "ConnectionOptions",
                                  "How to reach a node (core ConnectionOptions); validated when "
                                  "a connection opens, or by validate().");
  c.def(py::init<>());
  c.def_property_readonly(
      "host", [](const ConnectionOptions& o) { return o.addresses.front().host; },
      "The first node's host.");
  c.def_property_readonly(
      "port", [](const ConnectionOptions& o) { return o.addresses.front().port; },
      "The first node's port.");
  c.def_property(
      "addresses",
      [](const ConnectionOptions& o) {
        std::vector<std::pair<std::string, int>> out;
        for (const Address& a : o.addresses) out.emplace_back(a.host, a.port);
        return out;
      },
      [](ConnectionOptions& o, const std::vector<std::pair<std::string, int>>& given) {
        o.addresses.clear();
        for (const auto& [host, port] : given) o.addresses.push_back(Address{host, port});
      },
      "The nodes to try, in order, as (host, port) pairs.");
  c.def(
      "set_addresses",
      [](ConnectionOptions& o, const std::string& text, int default_port) {
        o.addresses = ValueOrThrow(ParseAddresses(text, default_port));
      },
      py::arg("text"), py::arg("default_port"),
      "Sets the nodes from \"h1:10800,h2\" (entries without a port take default_port).");
  c.def_property_readonly(
      "address_text", [](const ConnectionOptions& o) { return AddressesToString(o.addresses); },
      "\"h1:p1,h2:p2\", for messages.");
  StringProperty(c, "username", [](auto& o) { return &o.username; });
  StringProperty(c, "password", [](auto& o) { return &o.password; });
  c.def_property(
      "connect_timeout", [](const ConnectionOptions& o) { return SecondsOf(o.connect_timeout); },
      [](ConnectionOptions& o, double s) { o.connect_timeout = TimeoutFromSeconds(s); });
  c.def_property(
      "timeout", [](const ConnectionOptions& o) { return SecondsOf(o.timeout); },
      [](ConnectionOptions& o, double s) { o.timeout = TimeoutFromSeconds(s); });
  c.def_property(
      "tls", [](const ConnectionOptions& o) { return o.tls.enabled; },
      [](ConnectionOptions& o, std::optional<bool> on) { o.tls.enabled = on; });
  StringProperty(c, "ca_file", [](auto& o) { return &o.tls.ca_file; });
  StringProperty(c, "ca_dir", [](auto& o) { return &o.tls.ca_dir; });
  StringProperty(c, "certfile", [](auto& o) { return &o.tls.certfile; });
  StringProperty(c, "keyfile", [](auto& o) { return &o.tls.keyfile; });
  StringProperty(c, "cert_password", [](auto& o) { return &o.tls.cert_password; });
  StringProperty(c, "tls_server_name", [](auto& o) { return &o.tls.tls_server_name; });
  c.def_property(
      "tls_insecure_skip_verify",
      [](const ConnectionOptions& o) { return o.tls.tls_insecure_skip_verify; },
      [](ConnectionOptions& o, bool skip) { o.tls.tls_insecure_skip_verify = skip; });
  c.def_property_readonly(
      "tls_enabled", [](const ConnectionOptions& o) { return o.tls.on(); },
      "Whether connections use TLS: tls, or else whether any TLS option is set.");
  c.def(
      "validate", [](const ConnectionOptions& o) { ThrowIfError(o.Validate()); },
      "Raises IgniteValueError naming the options that cannot work together.");
  c.def("fill_from", &ConnectionOptions::FillFrom, py::arg("fallback"),
        "Takes unset credentials and TLS files from `fallback` (e.g. the environment's).");
}

}  // namespace ignite_tf::python
