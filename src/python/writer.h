// python/writer.h: ignite_tf._core.Writer, the columnar bulk writer: NumPy arrays handed to the
// core as views (never copied, never one Python object per row), encoded and sent without the
// GIL; and pack_ragged, which turns a sequence of str or bytes into one buffer and offsets.
#ifndef IGNITE_TF_PYTHON_WRITER_H_
#define IGNITE_TF_PYTHON_WRITER_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "core/client/client.h"

namespace ignite_tf::python {

// Registers Writer and pack_ragged; `open_writer` is bound on Client by RegisterClient.
void RegisterWriter(pybind11::module_& m);

// Client.writer(...): a Writer over `client` (see ignite_tf/client.py for the arguments).
pybind11::object OpenWriter(std::shared_ptr<Client> client, const std::string& cache,
                            pybind11::list columns, std::vector<int> key_columns,
                            const std::string& key_type_name, int64_t first_key,
                            const std::string& type_name, pybind11::dict nested_type_names,
                            int64_t batch_rows, int64_t batch_bytes, int parallel, bool overwrite);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_WRITER_H_
