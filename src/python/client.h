// python/client.h: the binding of the core's Client as ignite_tf._core.Client.
#ifndef IGNITE_TF_PYTHON_CLIENT_H_
#define IGNITE_TF_PYTHON_CLIENT_H_

#include <pybind11/pybind11.h>

namespace ignite_tf::python {

void RegisterClient(pybind11::module_& m);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_CLIENT_H_
