// python/module.cc: the ignite_tf._core extension. Each class registers itself (one file per
// class, as RegisterX(m)); the bindings only convert: arguments to core options, results to
// Python objects, statuses to exceptions (errors.h). Every blocking call releases the GIL.
#include <pybind11/pybind11.h>

#include "python/batch_stream.h"
#include "python/client.h"
#include "python/connection_options.h"
#include "python/errors.h"
#include "python/fs.h"
#include "python/values.h"
#include "python/writer.h"

namespace ignite_tf::python {

PYBIND11_MODULE(_core, m) {
  m.doc() = "ignite_tf native core: thin client, decoder and column builders";
  RegisterErrorTranslator(m);
  ImportPythonTypes();
  RegisterConnectionOptions(m);
  RegisterBatchStream(m);
  RegisterClient(m);
  RegisterWriter(m);
  RegisterFs(m);
}

}  // namespace ignite_tf::python
