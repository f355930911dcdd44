"""The one HTML display layer: Jinja2 templates from ``riskengine/templates/``, autoescaped.

Every HTML output (``report.html``, a batch's ``index.html``, the notebook views)
is rendered here from a template; none is assembled from strings in Python.

Escaping. The environment has ``autoescape=True``, and its ``finalize`` hook,
:func:`escape`, runs on every value a template prints: control and bidi
characters become U+FFFD, then ``html.escape`` with quotes (``&quot;``,
``&#x27;``), the same text the hand-written HTML gave. A value is printed
unescaped only when it is :class:`markupsafe.Markup`.

Trusted HTML. :func:`trusted` is the one place a text is marked as HTML: the
output of :func:`render` (a fragment a template rendered, so escaped already)
and the inline SVG of the report's figures (drawn by matplotlib from our own
tables, names escaped by it) go through it. Nothing turns autoescape off.

Templates use ``trim_blocks`` and ``lstrip_blocks`` (a line holding only a tag
leaves no blank line) and ``StrictUndefined`` (a missing variable is an error,
not an empty text). jinja2 is imported on the first render, so ``import
riskengine`` and the commands that write no HTML stay fast.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from riskengine._text import replace_controls

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

__all__ = ["escape", "join", "render", "template_text", "trusted"]

#: The folder of the templates, inside the ``riskengine`` package.
TEMPLATES = "templates"


def trusted(text: str) -> Markup:
    """``text`` marked as HTML that templates print as it is: the one place this is done.

    Only for template output and for SVG the report draws itself; never for data.
    """
    from markupsafe import Markup

    return Markup(text)


def escape(value: object) -> Markup:
    """What a template prints for ``value``: Markup as it is, anything else escaped
    (control and bidi characters -> U+FFFD, then ``&``, ``<``, ``>`` and both quotes)."""
    as_html = getattr(value, "__html__", None)
    if as_html is not None:
        return trusted(as_html())
    return trusted(html.escape(replace_controls(str(value)), quote=True))


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("riskengine", TEMPLATES),
        autoescape=True,
        finalize=escape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, /, **context: Any) -> Markup:
    """The template ``template`` (a path under ``riskengine/templates/``) rendered with ``context``.

    The result is HTML (Markup), ready to be passed to another template.
    """
    return trusted(_environment().get_template(template).render(context))


def join(parts: Iterable[object], separator: str = "\n") -> Markup:
    """``parts`` joined by ``separator`` (HTML, a constant) as HTML; a part that is not
    Markup is escaped."""
    return trusted(separator).join(escape(part) for part in parts)


def template_text(template: str) -> str:
    """The text of a template file as it is (not rendered), e.g. the report's CSS."""
    return (files("riskengine") / TEMPLATES / template).read_text(encoding="utf-8")
