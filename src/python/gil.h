// python/gil.h: GilRelease, the bindings' way to let other Python threads run while a call
// waits for the network. Unlike pybind11's gil_scoped_release, a thread that comes back while
// the interpreter is shutting down does not take the GIL again: Python would end the thread
// with pthread_exit, and that forced unwind through a destructor aborts the process
// ("terminate called without an active exception": a tf.data thread inside a scan when a
// program exits without deleting its iterator). The thread waits for the process to end
// instead, as CPython 3.14 itself does with threads that want the GIL during finalization.
// The finalizing thread itself never lets the GIL go (see the constructor).
#ifndef IGNITE_TF_PYTHON_GIL_H_
#define IGNITE_TF_PYTHON_GIL_H_

#include <Python.h>
#include <unistd.h>

namespace ignite_tf::python {

inline bool InterpreterFinalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

class GilRelease {
 public:
  // During finalization the thread holding the GIL is the one finalizing (its garbage
  // collection runs our destructors: a writer left in an exception's traceback): it keeps the
  // GIL, since it could never take it back, and the process would hang at exit.
  GilRelease() : state_(InterpreterFinalizing() ? nullptr : PyEval_SaveThread()) {}
  ~GilRelease() {
    if (state_ == nullptr) return;
    if (InterpreterFinalizing()) {
      for (;;) pause();  // the process is exiting; never touch Python again
    }
    PyEval_RestoreThread(state_);
  }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  PyThreadState* state_;
};

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_GIL_H_
