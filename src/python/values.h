// python/values.h: converts Python objects to core Values (to put, or as SQL arguments) and
// Values back to Python objects (get, SQL rows). Requires the GIL.
#ifndef IGNITE_TF_PYTHON_VALUES_H_
#define IGNITE_TF_PYTHON_VALUES_H_

#include <pybind11/pybind11.h>

#include "core/binary/value.h"

namespace ignite_tf::python {

// None, bool, int (long), float (double), str, bytes (byte[]), datetime (date), NumPy scalars
// and 1-D arrays (their exact Ignite type), lists of str (string[]), and ignite_tf.BinaryObject.
Value ToValue(pybind11::handle object, const std::string& path = "value");

pybind11::object FromValue(const Value& value);

// Imports the Python types the conversions use (datetime, uuid, decimal, NumPy, ignite_tf.binary);
// called once when the module loads, before any conversion.
void ImportPythonTypes();

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_VALUES_H_
