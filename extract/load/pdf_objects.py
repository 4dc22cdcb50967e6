"""pdfplumber's page objects (``Page.objects``), built with fewer Python objects per glyph.

Why: reading a PDF page is mostly pdfminer interpreting its content stream. For every glyph
pdfplumber's path builds a pdfminer ``LTChar`` (with a bounding box from a generic matrix
helper), tags it with its marked-content id, keeps it in a layout tree, and then turns it into
a dict through generic attribute resolution. Here the device builds that dict directly, once,
from the same inputs and with the same arithmetic; the interpreter reads the content stream
with ``pdf_tokens.FastContentParser`` and dispatches operators from a table instead of
formatting each operator's method name. Everything that is not a plain
horizontal glyph (vertical fonts, byte font names, values that would need resolving, Unicode
normalisation, layout analysis) goes through pdfminer's and pdfplumber's own code unchanged.

The result is equal, key for key and value for value, to ``page.objects`` as pdfplumber builds
it: ``tests/test_pdf.py`` compares the two on every page of every generated PDF.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from pdfminer.layout import LTChar
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.psexceptions import PSEOF
from pdfminer.psparser import PSKeyword, keyword_name
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer import settings
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from extract.load.pdf_tokens import FastContentParser

_PLAIN = frozenset({int, float, str, bool, type(None)})  # exact types: nothing to resolve
_Handler = tuple[Callable[..., Any], int] | None
_PDFMINER_LOG = logging.getLogger("pdfminer.pdfinterp")  # its warnings, under pdfminer's name


def page_objects(page: Any) -> dict[str, list[dict[str, Any]]]:
    """``page.objects`` as pdfplumber would build it, stored in its cache so that every
    pdfplumber method of the page (tables, crops, text) uses it. Content streams are read by
    ``pdf_tokens.FastContentParser`` (pdfminer's objects, faster)."""
    from pdfplumber.utils.exceptions import PdfminerException

    if hasattr(page, "_objects"):
        return page._objects
    if page.pdf.laparams is not None or page.pdf.unicode_norm is not None:
        return page.objects  # pdfplumber's own way: layout analysis or normalised text asked for
    device = _CharDevice(page)
    interpreter = _Interpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as exc:  # noqa: BLE001 - as pdfplumber's Page.layout: any pdfminer failure
        raise PdfminerException(exc) from exc
    objects: dict[str, list[dict[str, Any]]] = {}
    if device.chars:
        objects["char"] = device.chars
    for obj in page.iter_layout_objects(device.get_result()._objs):
        objects.setdefault(obj["object_type"], []).append(obj)
    page._objects = objects
    return objects


class _CharDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's aggregator, except that glyphs become pdfplumber's char dicts at once,
    in drawing order (the order pdfplumber's walk of the layout tree gives), and never
    enter the layout tree."""

    def __init__(self, page: Any) -> None:
        super().__init__(page.pdf.rsrcmgr, pageno=page.page_number, laparams=None)
        self.page = page
        self.chars: list[dict[str, Any]] = []
        self.number = page.page_number
        self.height = page.height
        self.mb_x0, self.mb_top = page.mediabox[:2]
        self.doctop = page.initial_doctop
        self.spaces: dict[str, str] = {}
        self.glyphs: dict[tuple[Any, int], tuple[str, float]] = {}

    def render_char(self, matrix: Any, font: Any, fontsize: float, scaling: float, rise: float,
                    cid: int, ncs: Any, graphicstate: Any) -> float:
        glyph = self.glyphs.get((font, cid))
        if glyph is None:
            glyph = self.glyphs[(font, cid)] = self._glyph(font, cid)
        text, textwidth = glyph
        adv = textwidth * fontsize * scaling
        attr = None
        if not font.is_vertical() and type(font.fontname) is str and type(text) is str:
            attr = self._char(matrix, font.fontname, fontsize, scaling, font.get_descent() * fontsize + rise,
                              text, adv, ncs, graphicstate)
        if attr is None:  # pdfminer's LTChar and pdfplumber's generic conversion
            item = LTChar(matrix, font, fontsize, scaling, rise, text, textwidth,
                          font.char_disp(cid), ncs, graphicstate)
            item.mcid, item.tag = self.cur_mcid, self.cur_tag  # type: ignore[attr-defined]
            attr = self.page.process_object(item)
        self.chars.append(attr)
        return adv

    def _glyph(self, font: Any, cid: int) -> tuple[str, float]:
        """A glyph's text and width, as pdfminer's ``render_char`` reads them."""
        try:
            text = font.to_unichr(cid)
            assert isinstance(text, str), str(type(text))
        except PDFUnicodeNotDefined:
            text = self.handle_undefined_char(font, cid)
        return text, font.char_width(cid)

    def _char(self, matrix: Any, fontname: str, fontsize: float, scaling: float, bottom0: float,
              text: str, adv: float, ncs: Any, gs: Any) -> dict[str, Any] | None:
        """pdfplumber's dict of one horizontal glyph (``LTChar`` + ``Page.process_object``
        arithmetic, in the same order), or None when a value would need pdfplumber's resolving."""
        if type(matrix) is not tuple or not _PLAIN.issuperset(map(type, matrix)):
            return None
        mcid, tag = self.cur_mcid, self.cur_tag
        if type(mcid) not in _PLAIN or type(tag) not in _PLAIN or type(ncs.name) is not str:
            return None
        (a, b, c, d, e, f) = matrix
        top0 = bottom0 + fontsize  # descent + rise (+ fontsize): LTChar's box before the matrix
        left1, bottom1 = a * 0 + c * bottom0 + e, b * 0 + d * bottom0 + f
        right1, top2 = a * adv + c * bottom0 + e, b * 0 + d * top0 + f
        dx, dy = right1 - left1, top2 - bottom1
        if b == 0 and c == 0 and dx == dx and dy == dy:  # no rotation, no skew, no NaN or inf:
            # the other two corners repeat these values, min and max are one comparison
            x0, x1 = (left1, right1) if left1 <= right1 else (right1, left1)
            y0, y1 = (bottom1, top2) if bottom1 <= top2 else (top2, bottom1)
        else:  # pdfminer's apply_matrix_rect
            bottom2 = b * adv + d * bottom0 + f
            right2, top1 = a * adv + c * top0 + e, b * adv + d * top0 + f
            left2 = a * 0 + c * top0 + e
            x0 = min(left1, left2, right1, right2)
            y0 = min(bottom1, bottom2, top1, top2)
            x1 = max(left1, left2, right1, right2)
            y1 = max(bottom1, bottom2, top1, top2)
        height = y1 - y0
        top = (self.height - y1) + self.mb_top
        if self.mb_x0 != 0:
            shifted = (x0 + self.mb_x0, x1 + self.mb_x0)
        else:
            shifted = (x0, x1)
        space = self.spaces.get(ncs.name)
        if space is None:
            from pdfplumber.utils.pdfinternals import resolve_and_decode
            space = self.spaces[ncs.name] = resolve_and_decode(ncs.name)
        return {
            "matrix": matrix, "fontname": fontname, "adv": adv,
            "upright": a * d * scaling > 0 and b * c <= 0,
            "x0": shifted[0], "y0": y0, "x1": shifted[1], "y1": y1, "width": x1 - x0,
            "height": height, "size": height, "mcid": mcid, "tag": tag,
            "object_type": "char", "page_number": self.number, "ncs": space, "text": text,
            "stroking_color": gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,),
            "non_stroking_color": gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,),
            "top": top, "bottom": (self.height - y0) + self.mb_top, "doctop": self.doctop + top,
        }


class _Interpreter(PDFPageInterpreter):
    """pdfminer's page interpreter reading with ``FastContentParser`` and dispatching
    operators from a table built as they are met (pdfminer formats and looks up each
    operator's method name every time). Form XObjects get one of these too (``dup``)."""

    def __init__(self, rsrcmgr: Any, device: Any) -> None:
        super().__init__(rsrcmgr, device)
        self.handlers: dict[PSKeyword, _Handler] = {}

    def handler(self, keyword: PSKeyword) -> _Handler:
        """The bound ``do_*`` method of an operator and its argument count (None: unknown)."""
        if keyword in self.handlers:
            return self.handlers[keyword]
        name = keyword_name(keyword)
        method = "do_{}".format(name.replace("*", "_a").replace('"', "_w").replace("'", "_q"))
        func = getattr(self, method, None)
        found = None if func is None else (func, func.__code__.co_argcount - 1)
        self.handlers[keyword] = found
        return found

    def execute(self, streams: Any) -> None:
        """pdfminer's ``PDFPageInterpreter.execute`` (circular-reference guard included),
        with ``FastContentParser`` and ``handler``."""
        log = _PDFMINER_LOG
        valid: list[PDFStream] = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None:
                log.warning("Execute called on non-indirect object (inline image?) %r", stream)
                continue
            if stream.objid in self.parent_stream_ids:
                log.warning("Refusing to execute circular reference to content stream %d", stream.objid)
            else:
                valid.append(stream)
                self.stream_ids.add(stream.objid)
        try:
            parser = FastContentParser(valid)
        except PSEOF:
            return  # empty page
        nextobject, push = parser.nextobject, self.push
        while True:
            try:
                (_, obj) = nextobject()
            except PSEOF:
                break
            if not isinstance(obj, PSKeyword):
                push(obj)
                continue
            found = self.handler(obj)
            if found is None:
                if settings.STRICT:
                    from pdfminer.pdfexceptions import PDFInterpreterError
                    raise PDFInterpreterError(f"Unknown operator: {keyword_name(obj)!r}")
                continue
            func, nargs = found
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)
            else:
                func()
