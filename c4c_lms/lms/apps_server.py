"""The course's standalone Voilà server for the apps and module pages (started by ``c4c serve``).

Two things stock Voilà does not do for us:

- **Offline.** Voilà's "lab" template links Font Awesome from a public CDN, and its page
  loads MathJax from another. Our template (``jupyter/voila/templates/c4c``) points the Font
  Awesome links at ``/static/fontawesome_free/``, which this server (and JupyterLab, through
  ``extra_static_paths``) serves from the installed ``fontawesome-free`` package; MathJax comes
  from the installed ``jupyter-server-mathjax`` package (JupyterLab's own server extension).
- **Speed.** Preheated kernels work only in a standalone Voilà: each app keeps a pool of
  ``pool_size`` kernels that have already run the notebook, so a visitor gets a rendered page
  and a live kernel at once. Pools are bounded: only the apps and, with ``--modules``, the module
  pages in one language get one (everything else is in ``preheat_denylist``), of ``pool_size``
  kernels each; a used kernel is replaced :data:`FILL_DELAY_S` later.

Run as ``python -m c4c_lms.lms.apps_server ROOT --port N [--pool-size K] [--modules uk|en|all]``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "jupyter"  # on JUPYTER_PATH: voila/templates/c4c
APPS_PATTERN = r"voila_apps/[a-z0-9_]+/index[.]ipynb"
# MathJax from the installed jupyter-server-mathjax package, where JupyterLab serves it too.
MODULES_PATTERN = r"modules/m[0-9]+_[a-z0-9_]+/m[0-9]+_[a-z0-9_]+[.]ipynb"
# Module pages by language: the Ukrainian notebook mNN_slug.ipynb, the English mNN_slug_en.ipynb.
MODULES_BY_LANGUAGE = {
    "all": MODULES_PATTERN,
    "uk": r"modules/m[0-9]+_[a-z0-9_]+/m[0-9]+_[a-z0-9_]+(?<!_en)[.]ipynb",
    "en": r"modules/m[0-9]+_[a-z0-9_]+/m[0-9]+_[a-z0-9_]+_en[.]ipynb",
}
MATHJAX_URL = "/static/jupyter_server_mathjax/MathJax.js"
FILL_DELAY_S = 5.0
IOPUB_TIMEOUT_S = 60
EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")


def fontawesome_dir() -> Path:
    """The installed Font Awesome (fontawesome-free package): ``.../static`` holding
    ``fontawesome_free/css`` and ``fontawesome_free/webfonts``."""
    from importlib.metadata import distribution

    path = Path(distribution("fontawesome-free").locate_file("fontawesome-free/static"))
    if not (path / "fontawesome_free" / "css" / "all.min.css").is_file():
        raise FileNotFoundError(f"Font Awesome not found under {path}")
    return path


def jupyter_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: ours) with the course's templates first on ``JUPYTER_PATH``."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p)
    return env


def _literal(text: str) -> str:
    """``text`` as a regular expression without backslashes (the pattern travels through a
    traitlets command-line literal, where a backslash would be read as an escape)."""
    if "\\" in text or "'" in text:
        raise ValueError(f"the course folder's path cannot hold a backslash or a quote: {text}")
    return "".join(f"[{c}]" if c in ".^$*+?{}[]|()" else c for c in text)


def voila_arguments(root: Path, port: int, pool_size: int = 1, modules: str = "") -> list[str]:
    """Command-line settings of the standalone server (production: sources stripped, no
    tracebacks, the course template, bounded pools of preheated kernels for the apps, and with
    ``modules`` -- ``"uk"``, ``"en"`` or ``"all"`` -- for the module pages in that language too)."""
    # every notebook but the preheated ones; Voilà filters the absolute paths of the notebooks
    # under ``root``, so the pattern is anchored there (tests/files/course101/modules/... is not
    # preheated)
    allowed = f"{APPS_PATTERN}|{MODULES_BY_LANGUAGE[modules]}" if modules else APPS_PATTERN
    deny = rf"^(?!({_literal(str(root))}/)?({allowed})$)"
    return [
        str(root), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.template=c4c",
        f"--Voila.mathjax_url={MATHJAX_URL}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        # The course template loads no JupyterLab extension; naming only the widget manager
        # keeps the others (nbgrader's, Notebook 7's) out of every page's configuration.
        f"--VoilaConfiguration.extension_allowlist={list(EXTENSIONS)!r}",
        f"--VoilaConfiguration.preheat_kernel={pool_size > 0}",
        f"--VoilaConfiguration.default_pool_size={max(pool_size, 0)}",
        f"--VoilaKernelManager.preheat_denylist=['{deny}']",  # no backslash: traitlets reads a literal
        # A used kernel is replaced only after the page it served is interactive: on two cores
        # a refill (Python start, imports, the notebook run) would otherwise compete with the
        # browser for the CPU during the very seconds the visitor waits.
        f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}",
        # A cell's last outputs may come after its reply; nbclient waits 4 s for them. When a
        # server starts, every pool fills at once (10 notebooks on 2 cores), and 4 s was seen to
        # cut an app's display off its page (no widgets at all for that visitor).
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=120",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m c4c_lms.lms.apps_server")
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pool-size", type=int, default=1)
    parser.add_argument("--modules", nargs="?", const="all", default="", choices=sorted(MODULES_BY_LANGUAGE),
                        help="preheat the module pages too, in one language or all (one kernel of "
                             "about 120 MB per module notebook: 5 per language)")
    args = parser.parse_args(argv)
    os.environ.update(jupyter_env())  # before Voilà looks for templates
    run(voila_arguments(args.root.resolve(), args.port, args.pool_size, args.modules))


def record_widget_state() -> None:
    """Make Voilà put the widgets' states into each page it renders.

    While Voilà runs a notebook for a page (or for a preheated kernel), its executor (nbclient)
    records every widget's state from the kernel's messages. Written into the notebook's
    metadata once the last cell has run, it reaches the page through nbconvert's own footer
    (``application/vnd.jupyter.widget-state+json``), and the page's script shows the widgets
    from it without waiting for the kernel's connection; the live states follow and correct
    what changed since. Without this the page still works, only later.
    """
    from voila.notebook_renderer import NotebookRenderer

    if getattr(NotebookRenderer, "c4c_records_widget_state", False):
        return
    run_cells = NotebookRenderer._jinja_cell_generator

    async def run_cells_then_record(self, nb, kernel_id):
        async for cell in run_cells(self, nb, kernel_id):
            yield cell
        self.executor.set_widgets_metadata()

    NotebookRenderer._jinja_cell_generator = run_cells_then_record
    NotebookRenderer.c4c_records_widget_state = True


def run(arguments: list[str]) -> None:
    """Start our Voilà: stock Voilà plus handlers for the installed Font Awesome and MathJax,
    recording the widgets' states into the pages (:func:`record_widget_state`)."""
    import warnings

    from jupyter_server.utils import url_path_join
    from jupyter_server_mathjax.app import STATIC_ASSETS_PATH
    from tornado.web import StaticFileHandler
    from voila.app import Voila

    class CourseVoila(Voila):
        def init_handlers(self):
            fonts = url_path_join(self.server_url, r"/static/fontawesome_free/(.*)")
            mathjax = url_path_join(self.server_url, r"/static/jupyter_server_mathjax/(.*)")
            return [(fonts, StaticFileHandler, {"path": str(fontawesome_dir() / "fontawesome_free")}),
                    (mathjax, StaticFileHandler, {"path": str(STATIC_ASSETS_PATH)}),
                    *super().init_handlers()]  # fmt: skip

    warnings.filterwarnings("ignore", "Voila.mathjax_url is deprecated", DeprecationWarning)
    record_widget_state()
    CourseVoila.launch_instance(argv=arguments)


if __name__ == "__main__":
    main(sys.argv[1:])
