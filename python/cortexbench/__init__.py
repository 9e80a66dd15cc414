"""cortexbench for notebooks: scores numpy/xarray arrays against an assembly with any metric, builds RDMs and
loads activations, assemblies, scores and leaderboards, through libcortexbench.so (the C code of the
`cortexbench` command; no second implementation of any metric). docs/python.md documents it."""
from ._lib import CortexbenchError
from .core import compare_rdms, rdm, score, score_json
from .files import (activations_info, load_activations, load_assembly, load_layer, load_leaderboard, load_score,
                    load_scores)

__all__ = ["CortexbenchError", "activations_info", "compare_rdms", "load_activations", "load_assembly", "load_layer",
           "load_leaderboard", "load_score", "load_scores", "rdm", "score", "score_json", "version"]


def version():
    """The version of the loaded libcortexbench.so."""
    from ._lib import dec, lib
    return dec(lib().cb_api_version())
