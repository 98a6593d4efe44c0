"""Sphinx configuration: MyST pages, the tour notebook executed by myst-nb, the CLI from click,
the Python API by autodoc, and reference tables generated from the code (``_ext``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

from servsim import __version__  # noqa: E402

project = "servsim"
author = "the servsim developers"
copyright = "servsim developers"
release = version = __version__

extensions = [
    "myst_nb",  # MyST Markdown pages and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx_click",
    "servsim_docs",  # field, KPI and results-folder tables generated from the code
]

exclude_patterns = ["_build", "reference/_generated", "**/generated", "scenarios", "Thumbs.db", ".DS_Store"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# The tour (tutorials/tour.ipynb, a link to examples/tour.ipynb) runs on every build, in its
# document's folder; its "../scenarios/..." paths resolve through docs/scenarios, a link to the
# repository's scenarios/. A cell that fails fails the build.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_member_order = "bysource"
autodoc_typehints = "description"

smartquotes = False  # keep --options and "quotes" as typed

html_theme = "furo"
html_title = f"servsim {release}"
html_static_path = ["_static"]

# The tour's figures come out as plotly JSON; servsim_docs draws them with plotly.js.
nb_mime_priority_overrides = [("html", "application/vnd.plotly.v1+json", 0)]


def _no_model_signature(app, what, name, obj, options, signature, return_annotation):  # noqa: ANN001, ANN202
    """A pydantic model's signature lists every field: servsim builds them, nobody calls it."""
    from pydantic import BaseModel

    if what == "class" and isinstance(obj, type) and issubclass(obj, BaseModel):
        return "", None
    return None


def setup(app):  # noqa: ANN001, ANN201
    app.connect("autodoc-process-signature", _no_model_signature)
