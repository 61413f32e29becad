"""Word documents in the layout of Chinese official documents (公文, GB/T 9704-2012).

:class:`OfficialDocument` writes A4 pages with the official margins (37 mm
top, 35 mm bottom, 28 mm left, 26 mm right), a 22-line grid, and page numbers
"— 1 —" in the footer (right on odd pages, left on even ones). Everything
that carries a look is a named style a reader may restyle in Word or WPS:
the title in 方正小标宋简体, the body in 仿宋_GB2312 三号, first-level
headings in 黑体 ("一、"), second-level ones in 楷体_GB2312 ("（一）"),
tables in 小四 with a header row that repeats on each page.

Fonts are named, never embedded: the reader's machine supplies them. Each
style names its font for both Latin (``w:ascii``/``w:hAnsi``) and Chinese
(``w:eastAsia``) text, and the document's font table gives each font a
substitute (``w:altName``: 黑体 for 方正小标宋简体, 仿宋 for 仿宋_GB2312 …) and
the GB2312 character set, which Word and WPS use when the named font is missing.

Text from users goes in as text: runs hold it literally (XML-escaped by
lxml), line breaks become ``w:br``, and characters XML cannot carry are
dropped rather than failing the whole document.
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language, pgettext
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, Twips
from lxml import etree

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Fonts as offices name them; ALT_NAMES are what a reader without them gets instead.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
ALT_NAMES = {
    TITLE_FONT: "黑体",
    BODY_FONT: "仿宋",
    HEADING1_FONT: "SimHei",
    HEADING2_FONT: "楷体",
    PAGE_NUMBER_FONT: "SimSun",
}

# Chinese type sizes (字号) in points.
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_SMALL_4 = Pt(12)  # 小四

#: 22 lines on the 225 mm of text height: 28.95 pt (579 twips) from line to line.
LINE_PITCH = Twips(579)
#: Two characters of body text: the first-line indent of a paragraph.
INDENT_2 = Pt(32)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
#: The page number's line sits about 7 mm below the text area.
FOOTER_DISTANCE = Mm(22)
HEADER_DISTANCE = Mm(15)

#: Characters XML 1.0 cannot carry (lxml refuses them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHINESE_DIGITS = "零一二三四五六七八九"


def clean_text(value) -> str:
    """``value`` as document text: line ends unified, characters XML cannot carry dropped."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)


def _is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (beyond that, Arabic numerals)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = (_CHINESE_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (_CHINESE_DIGITS[ones] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The numbering of a heading: 一、 / （一） / 1. in Chinese; 1. / (1) / 1) otherwise."""
    if _is_chinese():
        return (f"{chinese_number(n)}、", f"（{chinese_number(n)}）", f"{n}.")[level - 1]
    return (f"{n}. ", f"({n}) ", f"{n}) ")[level - 1]


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as printed ("66.7%"), or a dash when there is nothing to divide."""
    return f"{part / whole * 100:.1f}%" if whole else "—"


@dataclass(frozen=True)
class StyleSpec:
    """A named paragraph style: its id (stable), font, size and paragraph layout."""

    style_id: str
    font: str
    size: Pt
    align: int = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_line_indent: Pt | None = None
    right_indent: Pt | None = None
    grid_lines: bool = True
    outline_level: int | None = None
    keep_with_next: bool = False
    space_after: Pt | None = None


#: The styles of the documents; their display names are translated in :func:`_style_name`.
STYLES = (
    StyleSpec("OfficialTitle", TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, grid_lines=False,
              keep_with_next=True, space_after=LINE_PITCH),
    StyleSpec("OfficialSubtitle", HEADING2_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.CENTER,
              keep_with_next=True, space_after=LINE_PITCH),
    StyleSpec("OfficialBody", BODY_FONT, SIZE_3, first_line_indent=INDENT_2),
    StyleSpec("OfficialHeading1", HEADING1_FONT, SIZE_3, first_line_indent=INDENT_2,
              outline_level=0, keep_with_next=True),
    StyleSpec("OfficialHeading2", HEADING2_FONT, SIZE_3, first_line_indent=INDENT_2,
              outline_level=1, keep_with_next=True),
    StyleSpec("OfficialHeading3", BODY_FONT, SIZE_3, first_line_indent=INDENT_2,
              outline_level=2, keep_with_next=True),
    StyleSpec("OfficialAttachmentLabel", HEADING1_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.LEFT,
              keep_with_next=True),
    StyleSpec("OfficialSignature", BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT,
              right_indent=Pt(64)),
    StyleSpec("OfficialTableHeader", HEADING1_FONT, SIZE_SMALL_4, WD_ALIGN_PARAGRAPH.CENTER,
              grid_lines=False),
    StyleSpec("OfficialTableText", BODY_FONT, SIZE_SMALL_4, WD_ALIGN_PARAGRAPH.LEFT,
              grid_lines=False),
    StyleSpec("OfficialNote", BODY_FONT, SIZE_SMALL_4, WD_ALIGN_PARAGRAPH.LEFT,
              grid_lines=False),
    StyleSpec("OfficialPageNumber", PAGE_NUMBER_FONT, SIZE_4, WD_ALIGN_PARAGRAPH.RIGHT,
              grid_lines=False),
)  # fmt: skip


def _style_name(style_id: str) -> str:
    """The name a reader sees in the style list (公文标题, 公文正文, 一级标题 …)."""
    names = {
        "OfficialTitle": pgettext("Word style", "Official title"),
        "OfficialSubtitle": pgettext("Word style", "Official subtitle"),
        "OfficialBody": pgettext("Word style", "Official body text"),
        "OfficialHeading1": pgettext("Word style", "Official heading 1"),
        "OfficialHeading2": pgettext("Word style", "Official heading 2"),
        "OfficialHeading3": pgettext("Word style", "Official heading 3"),
        "OfficialAttachmentLabel": pgettext("Word style", "Official attachment label"),
        "OfficialSignature": pgettext("Word style", "Official signature"),
        "OfficialTableHeader": pgettext("Word style", "Official table header"),
        "OfficialTableText": pgettext("Word style", "Official table text"),
        "OfficialNote": pgettext("Word style", "Official note"),
        "OfficialPageNumber": pgettext("Word style", "Official page number"),
    }
    return names[style_id]


def set_fonts(rpr_parent, font: str) -> None:
    """Name ``font`` for Latin and Chinese text of a style or run (``w:rFonts``).

    Theme fonts are removed: Word prefers a theme attribute over a named font.
    """
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attribute}"), font)
    rfonts.set(qn("w:hint"), "eastAsia")


def _font_table_xml(fonts: Iterable[str]) -> bytes:
    """``word/fontTable.xml`` naming each font with its substitute and the GB2312 charset."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.Element(f"{{{w}}}fonts", nsmap={"w": w})
    for name in ("Times New Roman", *fonts):
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        if name in ALT_NAMES:
            etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": ALT_NAMES[name]})
            etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        family = "swiss" if name in (HEADING1_FONT,) else "roman"
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": family})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass(frozen=True)
class TableColumn:
    """A column of a table: its header and its share of the text width."""

    label: str
    weight: float


class OfficialDocument:
    """A Word document being written in the official layout; :meth:`to_bytes` gives the file."""

    def __init__(self, *, title: str):
        self.document = Document()
        self.title = title
        self._strip_template()
        self._define_styles()
        self._setup_section(self.document.sections[0], landscape=False)
        self._page_numbers(self.document.sections[0])
        self._landscape = False
        self._set_properties(title)

    # Setup

    def _strip_template(self) -> None:
        """Drop the template's sample paragraph and its thumbnail."""
        body = self.document.element.body
        for paragraph in list(body.iterchildren(qn("w:p"))):
            body.remove(paragraph)
        package = self.document.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                package.rels.pop(rid)

    def _define_styles(self) -> None:
        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        rfonts = rpr.find(qn("w:rFonts"))
        for attribute in list(rfonts.attrib):
            del rfonts.attrib[attribute]
        for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{attribute}"), BODY_FONT)
        for size in ("w:sz", "w:szCs"):
            rpr.find(qn(size)).set(qn("w:val"), str(int(SIZE_3.pt * 2)))
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:eastAsia"), "zh-CN")
        spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        spacing.attrib.clear()
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(LINE_PITCH.twips))
        spacing.set(qn("w:lineRule"), "exact")

        normal = styles["Normal"]
        set_fonts(normal.element, BODY_FONT)
        normal.font.size = SIZE_3
        for spec in STYLES:
            style = styles.add_style(_style_name(spec.style_id), WD_STYLE_TYPE.PARAGRAPH)
            style.element.set(qn("w:styleId"), spec.style_id)
            style.base_style = normal
            style.quick_style = True
            set_fonts(style.element, spec.font)
            style.font.size = spec.size
            layout = style.paragraph_format
            layout.alignment = spec.align
            layout.space_before = Pt(0)
            layout.space_after = spec.space_after or Pt(0)
            if spec.grid_lines:
                layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                layout.line_spacing = LINE_PITCH
            else:
                layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
                # Off the 22-line grid: a table row or a title takes the height it needs.
                _put_in_order(style.element.get_or_add_pPr(), _element("w:snapToGrid", val="0"))
            layout.first_line_indent = spec.first_line_indent
            layout.right_indent = spec.right_indent
            layout.keep_with_next = spec.keep_with_next or None
            layout.widow_control = True
            if spec.outline_level is not None:
                outline = _element("w:outlineLvl", val=str(spec.outline_level))
                _put_in_order(style.element.get_or_add_pPr(), outline)
        fonts = sorted({spec.font for spec in STYLES})
        for part in self.document.part.package.iter_parts():
            if str(part.partname) == "/word/fontTable.xml":
                part._blob = _font_table_xml(fonts)
        self.document.settings.odd_and_even_pages_header_footer = True

    def _setup_section(self, section, *, landscape: bool) -> None:
        """A4 (portrait or landscape) with the official margins and a 22-line grid."""
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin = MARGINS["top"]
        section.bottom_margin = MARGINS["bottom"]
        section.left_margin = MARGINS["left"]
        section.right_margin = MARGINS["right"]
        section.header_distance = HEADER_DISTANCE
        section.footer_distance = FOOTER_DISTANCE
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH.twips))

    def _page_numbers(self, section) -> None:
        """ "— 1 —" in 宋体 四号: right on odd pages, left on even ones, one character in."""
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.style = self.document.styles[_style_name("OfficialPageNumber")]
            paragraph.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = SIZE_4
            else:
                paragraph.paragraph_format.left_indent = SIZE_4
            paragraph.add_run("— ")
            for kind, text in (("begin", None), (None, " PAGE "), ("separate", None)):
                run = paragraph.add_run()
                if kind:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    run._r.append(char)
                else:
                    instruction = OxmlElement("w:instrText")
                    instruction.set(qn("xml:space"), "preserve")
                    instruction.text = text
                    run._r.append(instruction)
            paragraph.add_run("1")
            end = paragraph.add_run()
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), "end")
            end._r.append(char)
            paragraph.add_run(" —")

    def _set_properties(self, title: str) -> None:
        properties = self.document.core_properties
        now = timezone.now()
        properties.title = clean_text(title)[:255]
        properties.author = "Rectify"
        properties.last_modified_by = "Rectify"
        properties.comments = ""
        properties.keywords = ""
        properties.subject = ""
        properties.revision = 1
        properties.created = now
        properties.modified = now
        properties.language = "zh-CN" if _is_chinese() else "en-US"

    # Writing

    def _style(self, style_id: str):
        return self.document.styles[_style_name(style_id)]

    def paragraph(self, text: str = "", style_id: str = "OfficialBody"):
        """A paragraph of ``text`` (taken literally) in the named style."""
        paragraph = self.document.add_paragraph(style=self._style(style_id))
        text = clean_text(text)
        if text:
            paragraph.add_run(text)
        return paragraph

    def runs(self, parts: Sequence[tuple[str, str | None]], style_id: str = "OfficialBody"):
        """A paragraph of several runs: ``(text, font or None)`` each (a lead-in in 黑体 …)."""
        paragraph = self.document.add_paragraph(style=self._style(style_id))
        for text, font in parts:
            run = paragraph.add_run(clean_text(text))
            if font:
                set_fonts(run._r, font)
        return paragraph

    def title_block(self, title: str, subtitle: str = "") -> None:
        """The document's title (方正小标宋简体 二号), then a centred line such as the date."""
        self.paragraph(title, "OfficialTitle")
        if subtitle:
            self.paragraph(subtitle, "OfficialSubtitle")

    def heading(self, level: int, number: int, text: str):
        """A heading: "一、…" (黑体), "（一）…" (楷体) or "1. …" (body font)."""
        return self.paragraph(f"{heading_number(level, number)}{text}", f"OfficialHeading{level}")

    def signature(self, *lines: str) -> None:
        """The issuer and the date (落款), right-aligned, after a blank line."""
        self.paragraph("", "OfficialBody")
        for line in lines:
            self.paragraph(line, "OfficialSignature")

    def attachment(self, label: str, title: str) -> None:
        """Start an attachment on a new landscape page: its label ("附件1") and title."""
        if not self._landscape:
            section = self.document.add_section(WD_SECTION.NEW_PAGE)
            self._setup_section(section, landscape=True)
            # The paragraph that ends the portrait section holds nothing: keep it one point
            # high, so that a full last page does not spill it onto a blank one.
            breaker = self.document.element.body[-2]
            properties = breaker.get_or_add_pPr()
            properties.insert_element_before(
                _element("w:spacing", line="20", lineRule="exact", before="0", after="0"),
                *_PPR_AFTER["w:snapToGrid"][1:],
            )
            self._landscape = True
        else:
            breaker = self.document.add_paragraph(style=self._style("OfficialNote"))
            breaker.add_run().add_break(WD_BREAK.PAGE)
            breaker.paragraph_format.space_after = Pt(0)
        self.paragraph(label, "OfficialAttachmentLabel")
        self.paragraph(title, "OfficialTitle")

    def text_width(self) -> int:
        """The width of the current section's text area, in twips."""
        section = self.document.sections[-1]
        return Emu(section.page_width - section.left_margin - section.right_margin).twips

    def table(
        self,
        columns: Sequence[TableColumn],
        rows: Iterable[Sequence],
        *,
        numeric: Sequence[int] = (),
    ) -> int:
        """A full-width table with thin borders whose header row repeats on every page.

        Cells hold text (``None`` is empty); ``numeric`` columns are centred.
        Rows are built as XML directly: python-docx's cell API costs a
        millisecond a cell, too slow for a few thousand rows. Returns the
        number of body rows written.
        """
        width = int(self.text_width() * 0.999)
        total_weight = sum(column.weight for column in columns) or 1
        widths = [int(width * column.weight / total_weight) for column in columns]
        table = OxmlElement("w:tbl")
        table.append(_table_properties(width))
        grid = OxmlElement("w:tblGrid")
        for cell_width in widths:
            grid.append(_element("w:gridCol", w=str(cell_width)))
        table.append(grid)
        header = [column.label for column in columns]
        table.append(_row(header, widths, "OfficialTableHeader", header=True))
        count = 0
        centred = set(numeric)
        for values in rows:
            table.append(_row(values, widths, "OfficialTableText", centred=centred))
            count += 1
        body = self.document.element.body
        body.insert(len(body) - 1, table)  # before the final section properties
        return count

    def note(self, text: str) -> None:
        """A small note under a table (that it was cut short, where the rest is)."""
        self.paragraph(text, "OfficialNote")

    def to_bytes(self) -> bytes:
        """The document as the bytes of a ``.docx`` file."""
        body = self.document.element.body
        if len(body) > 1 and body[-2].tag == qn("w:tbl"):
            # Word wants a paragraph between a table and the end of the document.
            self.paragraph("", "OfficialNote")
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


#: The children of ``w:pPr`` that may follow ``w:snapToGrid`` and ``w:outlineLvl`` (the schema
#: fixes their order, and Word refuses a file that breaks it).
_PPR_AFTER = {
    "w:snapToGrid": (
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
        "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
        "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    ),
    "w:outlineLvl": ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
}  # fmt: skip


def _put_in_order(ppr, element) -> None:
    """Insert ``element`` into ``ppr`` where the schema wants it."""
    tag = element.tag.replace(qn("w:"), "w:")
    ppr.insert_element_before(element, *_PPR_AFTER[tag])


def _element(tag: str, **attributes) -> OxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _table_properties(width: int):
    properties = OxmlElement("w:tblPr")
    properties.append(_element("w:tblW", w=str(width), type="dxa"))
    properties.append(_element("w:jc", val="center"))
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        # sz is in eighths of a point: 4 = a thin 0.5 pt line.
        borders.append(_element(f"w:{side}", val="single", sz="4", space="0", color="000000"))
    properties.append(borders)
    properties.append(_element("w:tblLayout", type="fixed"))
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("top", "28"), ("left", "85"), ("bottom", "28"), ("right", "85")):
        margins.append(_element(f"w:{side}", w=value, type="dxa"))
    properties.append(margins)
    properties.append(_element("w:tblLook", val="04A0", firstRow="1", noHBand="0", noVBand="1"))
    return properties


def _row(values, widths, style_id: str, *, header: bool = False, centred=frozenset()):
    row = OxmlElement("w:tr")
    properties = OxmlElement("w:trPr")
    if header:
        # Repeat the header row at the top of every page the table runs onto.
        properties.append(_element("w:cantSplit"))
        properties.append(_element("w:tblHeader"))
    row.append(properties)
    for index, (value, cell_width) in enumerate(zip(values, widths, strict=False)):
        cell = OxmlElement("w:tc")
        cell_properties = OxmlElement("w:tcPr")
        cell_properties.append(_element("w:tcW", w=str(cell_width), type="dxa"))
        cell_properties.append(_element("w:vAlign", val="center"))
        cell.append(cell_properties)
        paragraph = OxmlElement("w:p")
        paragraph_properties = OxmlElement("w:pPr")
        paragraph_properties.append(_element("w:pStyle", val=style_id))
        if index in centred:
            paragraph_properties.append(_element("w:jc", val="center"))
        paragraph.append(paragraph_properties)
        _append_text(paragraph, _cell_text(value))
        cell.append(paragraph)
        row.append(cell)
    return row


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def _append_text(paragraph, text: str) -> None:
    """Runs holding ``text`` literally: ``w:t`` pieces, ``w:br`` for line breaks, ``w:tab``."""
    if not text:
        return
    run = OxmlElement("w:r")
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            run.append(OxmlElement("w:br"))
        for piece_number, piece in enumerate(line.split("\t")):
            if piece_number:
                run.append(OxmlElement("w:tab"))
            if piece:
                element = OxmlElement("w:t")
                element.set(qn("xml:space"), "preserve")
                element.text = piece
                run.append(element)
    paragraph.append(run)
