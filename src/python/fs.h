// python/fs.h: bindings of the igfs store (core/fs) for ignite_tf.fsspec.
#ifndef IGNITE_TF_PYTHON_FS_H_
#define IGNITE_TF_PYTHON_FS_H_

#include <pybind11/pybind11.h>

namespace ignite_tf::python {

void RegisterFs(pybind11::module_& m);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_FS_H_
