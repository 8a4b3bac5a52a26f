// python/columns.h: hands a core Batch to Python as NumPy arrays that own the C++ buffers through
// capsules (no copy for fixed-width and list columns), and describes schemas as Python data.
#ifndef IGNITE_TF_PYTHON_COLUMNS_H_
#define IGNITE_TF_PYTHON_COLUMNS_H_

#include <pybind11/pybind11.h>

#include "core/columnar/column.h"
#include "core/columnar/schema.h"

namespace ignite_tf::python {

// {path: array} for fixed-width and string columns; {path: (values, row_offsets)} for lists,
// where for lists of lists `values` is itself a (values, offsets) pair, one per further level.
// Strings become object arrays of bytes.
pybind11::dict BatchToPython(Batch batch);

// (key_tree, val_tree); a tree is a dict {field: tree} for objects, or a leaf tuple
// (dtype_name, list_depth, column_path): list_depth 0 for one value per row, 1 for a list, 2 for a
// list of lists, ...
pybind11::tuple SchemaToPython(const RowSchema& schema);

// The reverse, for a schema the user gives: (key_tree, val_tree) where a tree is a dict
// {field: tree} for objects or an int Ignite type code (3 int, 9 string, 12 byte[], ...).
RowSchema SchemaFromPython(pybind11::handle trees);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_COLUMNS_H_
