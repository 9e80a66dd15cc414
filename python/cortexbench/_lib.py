"""Finding and loading libcortexbench.so (the C API of src/api/cb_api.h) through ctypes."""
import ctypes
import os

_NAME = "libcortexbench.so"


class CortexbenchError(Exception):
    """A failed library call: the one-line message of the C library (naming the file and the problem).

    ``status`` is the cb_status code (1 argument, 2 I/O, 3 format, 6 numeric, ...; src/core/cb_status.h).
    """

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


def _candidates():
    """Where the library is looked for, in order: $CORTEXBENCH_LIB, beside the package (installed), the install
    prefix's lib directories, the build trees of a source checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = os.environ.get("CORTEXBENCH_LIB")
    out = []
    if env:
        out.append(env)
    out.append(os.path.join(here, _NAME))
    prefix = os.path.normpath(os.path.join(here, "..", "..", "..", ".."))  # P/lib/python3/dist-packages/cortexbench
    out += [os.path.join(prefix, d, _NAME) for d in ("lib", "lib64", "lib/x86_64-linux-gnu")]
    repo = os.path.normpath(os.path.join(here, "..", ".."))  # <checkout>/python/cortexbench
    out += [os.path.join(repo, b, "lib", _NAME) for b in ("build", "build-native")]  # (an ASan build cannot load)
    return out


def _declare(lib):
    c = ctypes
    P, I64, S = c.c_void_p, c.c_int64, c.c_char_p
    sig = {
        "cb_api_abi_version": (c.c_int, []),
        "cb_api_version": (S, []),
        "cb_api_error": (S, []),
        "cb_api_free": (None, [P]),
        "cb_api_score": (c.c_int, [P, I64, I64, c.POINTER(S), S, S, S, S, c.POINTER(S), c.POINTER(P)]),
        "cb_api_rdm": (c.c_int, [P, P, c.c_int, c.c_int, S, P, c.POINTER(c.c_int)]),
        "cb_api_rdm_compare": (c.c_int, [P, P, c.c_int, S, c.POINTER(c.c_double)]),
        "cb_api_acts_open": (c.c_int, [S, c.POINTER(P)]),
        "cb_api_acts_close": (None, [P]),
        "cb_api_acts_n": (I64, [P]),
        "cb_api_acts_stimulus_id": (S, [P, I64]),
        "cb_api_acts_model": (S, [P]),
        "cb_api_acts_n_layers": (c.c_int, [P]),
        "cb_api_acts_layer": (S, [P, c.c_int]),
        "cb_api_acts_features": (I64, [P, c.c_int]),
        "cb_api_acts_read": (c.c_int, [P, S, P, I64]),
        "cb_api_neural_open": (c.c_int, [S, S, c.c_double, c.c_double, c.POINTER(P)]),
        "cb_api_neural_close": (None, [P]),
        "cb_api_neural_n_stim": (c.c_int, [P]),
        "cb_api_neural_n_neuroid": (c.c_int, [P]),
        "cb_api_neural_stimulus_id": (S, [P, c.c_int]),
        "cb_api_neural_neuroid_id": (S, [P, c.c_int]),
        "cb_api_neural_mean": (c.POINTER(c.c_double), [P]),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args


_lib = None


def lib():
    """The loaded library (loaded on first use); CortexbenchError naming every place looked in when absent."""
    global _lib
    if _lib is None:
        tried = []
        for path in _candidates():
            if not os.path.isfile(path):
                tried.append(path)
                continue
            try:
                handle = ctypes.CDLL(path)
            except OSError as e:
                raise CortexbenchError(f"{path}: cannot load {_NAME}: {e}") from None
            _declare(handle)
            if handle.cb_api_abi_version() != 1:
                raise CortexbenchError(f"{path}: C API version {handle.cb_api_abi_version()}, this package needs 1")
            _lib = handle
            break
        else:
            raise CortexbenchError(f"{_NAME} not found (set CORTEXBENCH_LIB or install cortexbench); looked in: "
                                   + ", ".join(tried))
    return _lib


def check(status):
    """Raises CortexbenchError with the library's message when status != 0."""
    if status != 0:
        raise CortexbenchError(lib().cb_api_error().decode("utf-8", "replace"), status)


def enc(s):
    return None if s is None else str(s).encode("utf-8")


def dec(b):
    return b.decode("utf-8")
