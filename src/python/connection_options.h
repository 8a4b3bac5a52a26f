// python/connection_options.h: ignite_tf._core.ConnectionOptions, the one binding of the core's
// ConnectionOptions (client/connection_options.h) that Client, the datasets and igfs pass around.
#ifndef IGNITE_TF_PYTHON_CONNECTION_OPTIONS_H_
#define IGNITE_TF_PYTHON_CONNECTION_OPTIONS_H_

#include <pybind11/pybind11.h>

#include "core/client/connection_options.h"

namespace ignite_tf::python {

void RegisterConnectionOptions(pybind11::module_& m);

// The TLS options that are set, under their Python keyword names (tls, ca_file, ...).
pybind11::dict TlsKeywords(const TlsOptions& tls);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_CONNECTION_OPTIONS_H_
