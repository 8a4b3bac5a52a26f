"""Sphinx configuration of the ignite_tf API reference (built by docs/build.sh).

The reference documents the INSTALLED package: the source tree has no compiled core
(``ignite_tf._core``), so the build runs from a directory outside the checkout and this file
checks that the core imports before autodoc starts.
"""

from __future__ import annotations

import importlib

import ignite_tf

try:
    importlib.import_module("ignite_tf._core")
except ImportError as e:  # pragma: no cover - a misconfigured build
    raise RuntimeError(
        f"the docs need the installed ignite_tf with its compiled core, but {ignite_tf.__file__} "
        f"was imported and its core does not load ({e}); run bash docs/build.sh"
    ) from e

project = "ignite-tf"
author = "ignite-tf contributors"
copyright = "ignite-tf contributors"
release = ignite_tf.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
]

# No intersphinx: the build runs offline, so names of other projects (NumPy, TensorFlow,
# pytest, fsspec) are plain text; nitpick_ignore_regex below lists those the signatures use.
root_doc = "index"
exclude_patterns = ["_build"]
templates_path: list[str] = []
html_static_path: list[str] = []
html_theme = "alabaster"
html_title = f"ignite-tf {release} API reference"
html_show_sourcelink = False

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Defaults as values (16777216), not the private names some signatures use for them.
autodoc_preserve_defaults = False
autodoc_inherit_docstrings = False
autodoc_default_options = {
    "members": True,
    "undoc-members": False,
}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
# "host, port: ..." stays one entry, as the docstrings group them.
napoleon_use_param = False

nitpicky = True

# Without intersphinx nothing outside ignite_tf can be linked: the standard library's and other
# projects' types in signatures stay plain text. Every name of ignite_tf itself must resolve.
nitpick_ignore_regex = [
    (r"py:class", r"(os|pathlib|ssl|collections\.abc)\.\w+"),
    (r"py:class", r"(numpy|pytest|fsspec\.spec)\.\w+"),
]


def _init_signature(app, what, name, obj, options, signature, return_annotation):
    # fsspec's caching metaclass has __call__(*args, **kwargs), which autodoc shows instead of
    # the class's own __init__ (IgfsFileSystem): show __init__'s parameters.
    if what == "class" and signature == "(*args, **kwargs)" and "__init__" in vars(obj):
        from sphinx.util.inspect import signature as inspect_signature
        from sphinx.util.inspect import stringify_signature

        sig = inspect_signature(obj.__init__, bound_method=True, type_aliases={})
        return stringify_signature(sig, show_return_annotation=False), return_annotation
    return None


def setup(app):
    app.connect("autodoc-process-signature", _init_signature)
