// python/batch_stream.h: ignite_tf._core.BatchStream, the batches of a scan or SQL query as
// NumPy columns; the stream's worker fetches ahead while Python consumes.
#ifndef IGNITE_TF_PYTHON_BATCH_STREAM_H_
#define IGNITE_TF_PYTHON_BATCH_STREAM_H_

#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/columnar/batch_stream.h"

namespace ignite_tf::python {

class PyBatchStream {
 public:
  explicit PyBatchStream(std::unique_ptr<BatchStream> stream) : stream_(std::move(stream)) {}
  ~PyBatchStream() { Close(); }

  // The next batch as {column_path: array or (values, row_offsets)}, or None at the end.
  pybind11::object Next();
  // (key_tree, val_tree) once the first row arrived; None for an empty scan.
  pybind11::object Schema();
  std::vector<std::string> SqlColumns();
  int64_t SkippedRows();
  // {partition: node id} of the connection that served each partition read so far.
  std::map<int32_t, std::string> PartitionNodes();
  void Close();

 private:
  std::unique_ptr<BatchStream> stream_;
  int64_t skipped_ = 0;
  std::map<int32_t, std::string> partition_nodes_;  // kept after Close
};

void RegisterBatchStream(pybind11::module_& m);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_BATCH_STREAM_H_
