"""Cell values of real ledgers, read into the ledger's fields.

Every function takes a raw cell value (as :mod:`.read` yields it: ``str``,
``float``, ``int``, ``bool``, ``date`` or ``datetime``) and returns the field's
value, or raises :class:`CellError` with the reason a person can act on.

The vocabulary is what offices write (``FORMATS.md``):

- deadlines: ``2019年12月31日``, ``2019.12.31``, ``2019/12/31``, ``2019-12-31``,
  ``20191231``, Excel date serials, ``12月底`` / ``12月31日`` / ``年底`` /
  ``上半年`` in the campaign's year, with or without a trailing ``前``;
  ``长期坚持``, ``长期``, ``持续推进``, ``常态化`` mean a long-term measure
  without a deadline;
- statuses: see :data:`STATUS_WORDS` — ``立行立改`` is a kind and a status at
  once: rectified on the spot, so the measure is immediate and completed;
- several persons in one cell, separated by ``、 ， , ; ；`` or spaces.
"""

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import override

from rectify.ledger.models import Level, MeasureKind, MeasureStatus, Source


class CellError(ValueError):
    """A cell's value cannot be read into its field; ``str(error)`` is the reason."""


def text(value) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO, spaces trimmed."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def fold(value) -> str:
    """Text folded for comparison: NFKC (full-width to half-width), no spaces, lower case."""
    value = text(value)
    if len(value) <= FOLD_CACHED:
        return _fold_short(value)
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).lower()


_SPACES = re.compile(r"\s+")
#: Texts up to this length are folded once per process: a ledger repeats its statuses,
#: kinds, units and categories on every row (longer texts are rarely repeated, and would
#: make the cache's memory unbounded).
FOLD_CACHED = 64


@functools.lru_cache(maxsize=16384)
def _fold_short(value: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).lower()


# Dates ----------------------------------------------------------------------------------

#: Deadline words meaning "long-term, no fixed date".
LONG_TERM_WORDS = ("长期坚持", "长期", "持续推进", "常态化", "长期推进", "长期执行", "持续")
#: Excel's day zero (serial 1 is 1900-01-01, counting the 1900 leap-day bug).
EXCEL_EPOCH = dt.date(1899, 12, 30)
_FULL = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH_END = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?\s*(?:底|末|份)?$")
_MONTH_END = re.compile(r"^(\d{1,2})\s*月\s*(?:底|末|份)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_YEAR_END = re.compile(r"^(?:(\d{4})\s*年)?\s*(?:年底|年末|底)$")
_HALF = re.compile(r"^(?:(\d{4})\s*年)?\s*(上半年|下半年)(?:底|末)?$")
_QUARTER = re.compile(r"^(?:(\d{4})\s*年)?\s*(?:第)?\s*([一二三四1-4])\s*季度(?:末|底)?$")
_BEFORE = re.compile(r"(?:以前|之前|前|止|为止)$")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Deadline:
    """A deadline cell read: a date, or long-term (no date)."""

    date: dt.date | None
    long_term: bool = False


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise CellError(_("There is no month %(month)s.") % {"month": month})
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _in_campaign_year(month: int, day: int | None, start: dt.date) -> dt.date:
    """The first such date on or after the campaign's start (a month named without a year)."""
    for year in (start.year, start.year + 1):
        candidate = _month_end(year, month) if day is None else _date(year, month, day)
        if candidate >= start:
            return candidate
    return candidate


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("There is no such date.")) from exc


def parse_deadline(value, *, campaign_start: dt.date) -> Deadline:
    """Read a deadline cell; month ends without a year fall in the campaign's year."""
    if isinstance(value, dt.datetime):
        return Deadline(value.date())
    if isinstance(value, dt.date):
        return Deadline(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serials end at 9999-12-31
            return Deadline(EXCEL_EPOCH + dt.timedelta(days=int(value)))
        raise CellError(_("A number that is not a date."))
    raw = unicodedata.normalize("NFKC", text(value))
    folded = re.sub(r"\s+", "", raw)
    if not folded:
        return Deadline(None)
    if any(folded.startswith(word) for word in LONG_TERM_WORDS) or (
        _choice_words(MeasureKind).get(fold(raw)) == MeasureKind.LONG_TERM
    ):
        return Deadline(None, long_term=True)
    folded = _BEFORE.sub("", folded)
    if match := _FULL.match(folded) or _COMPACT.match(folded):
        year, month, day = (int(g) for g in match.groups())
        return Deadline(_date(year, month, day))
    if match := _YEAR_MONTH_END.match(folded):
        return Deadline(_month_end(int(match[1]), int(match[2])))
    if match := _MONTH_DAY.match(folded):
        return Deadline(_in_campaign_year(int(match[1]), int(match[2]), campaign_start))
    if match := _MONTH_END.match(folded):
        return Deadline(_in_campaign_year(int(match[1]), None, campaign_start))
    if match := _YEAR_END.match(folded):
        year = int(match[1]) if match[1] else None
        return Deadline(
            _month_end(year, 12) if year else _in_campaign_year(12, None, campaign_start)
        )
    if match := _HALF.match(folded):
        month = 6 if match[2] == "上半年" else 12
        if match[1]:
            return Deadline(_month_end(int(match[1]), month))
        return Deadline(_in_campaign_year(month, None, campaign_start))
    if match := _QUARTER.match(folded):
        month = _QUARTERS[match[2]] * 3
        if match[1]:
            return Deadline(_month_end(int(match[1]), month))
        return Deadline(_in_campaign_year(month, None, campaign_start))
    if re.fullmatch(r"\d+(\.\d+)?", folded):
        return parse_deadline(float(folded), campaign_start=campaign_start)
    raise CellError(_("Not a date (write it as 2024-12-31, 2024年12月31日 or 12月底)."))


# Kinds and statuses -----------------------------------------------------------------------

#: Words of a kind column (整改类型), folded. ``是``/``否`` answer "是否立行立改".
KIND_WORDS = {
    "立行立改": MeasureKind.IMMEDIATE,
    "即知即改": MeasureKind.IMMEDIATE,
    "立即整改": MeasureKind.IMMEDIATE,
    "限期整改": MeasureKind.DEADLINE,
    "限时整改": MeasureKind.DEADLINE,
    "阶段整改": MeasureKind.DEADLINE,
    "长期坚持": MeasureKind.LONG_TERM,
    "长期整改": MeasureKind.LONG_TERM,
    "长期": MeasureKind.LONG_TERM,
    "持续推进": MeasureKind.LONG_TERM,
    "常态化": MeasureKind.LONG_TERM,
}

#: Words of a status column, folded, and what they become.
#:
#: - 未开始 → not started; 整改中 / 推进中 / 持续推进 / 基本完成 / 未销号 / 否 → in progress
#:   (基本完成 is not done; 未销号 says nothing more than "open");
#: - 已完成 / 已整改 / 完成 / 整改完成 / 是 → completed, awaiting acceptance;
#: - 立行立改 → completed, and the measure's kind becomes immediate;
#: - 已销号 / 已验收 → completed too: sign-off is the workflow's to give (a leader's or
#:   the guidance group's acceptance), never an import's, so the import says so.
STATUS_WORDS = {
    "未开始": MeasureStatus.NOT_STARTED,
    "未启动": MeasureStatus.NOT_STARTED,
    "整改中": MeasureStatus.IN_PROGRESS,
    "推进中": MeasureStatus.IN_PROGRESS,
    "正在整改": MeasureStatus.IN_PROGRESS,
    "持续推进": MeasureStatus.IN_PROGRESS,
    "持续整改": MeasureStatus.IN_PROGRESS,
    "基本完成": MeasureStatus.IN_PROGRESS,
    "未完成": MeasureStatus.IN_PROGRESS,
    "未销号": MeasureStatus.IN_PROGRESS,
    "否": MeasureStatus.IN_PROGRESS,
    "已完成": MeasureStatus.COMPLETED,
    "已整改": MeasureStatus.COMPLETED,
    "完成": MeasureStatus.COMPLETED,
    "整改完成": MeasureStatus.COMPLETED,
    "已整改完成": MeasureStatus.COMPLETED,
    "已完成整改": MeasureStatus.COMPLETED,
    "是": MeasureStatus.COMPLETED,
    "立行立改": MeasureStatus.COMPLETED,
    "已销号": MeasureStatus.SIGNED_OFF,
    "已验收": MeasureStatus.SIGNED_OFF,
}


@functools.cache
def _choice_words(choices) -> dict[str, str]:
    """A choice's value and its label in Chinese and in English (folded) → value."""
    words = {}
    for value, label in choices.choices:
        words[fold(value)] = value
        for language in ("en", "zh-hans"):
            with override(language):
                words[fold(str(label))] = value
    return words


def parse_kind(value) -> str | None:
    """The measure kind a kind cell names, ``None`` when blank; unknown words are refused."""
    folded = fold(value)
    if not folded:
        return None
    if folded in KIND_WORDS:
        return KIND_WORDS[folded]
    if folded in ("是", "yes", "true", "1"):
        return MeasureKind.IMMEDIATE
    if folded in ("否", "no", "false", "0"):
        return MeasureKind.DEADLINE
    words = _choice_words(MeasureKind)
    if folded in words:
        return words[folded]
    raise CellError(_("Unknown kind (use 立行立改, 限期整改 or 长期坚持)."))


@dataclass(frozen=True)
class Status:
    """A status cell read: the status, and the kind it implies (立行立改), if any."""

    status: str
    kind: str | None = None


def parse_status(value) -> Status | None:
    """The status a status cell names, ``None`` when blank; unknown words are refused."""
    folded = fold(value)
    if not folded:
        return None
    if folded == "立行立改":
        return Status(MeasureStatus.COMPLETED, MeasureKind.IMMEDIATE)
    if folded in STATUS_WORDS:
        return Status(STATUS_WORDS[folded])
    words = _choice_words(MeasureStatus)
    if folded in words:
        return Status(words[folded])
    if folded.endswith("%"):
        try:
            share = float(folded[:-1])
        except ValueError:
            share = -1
        if share == 100:
            return Status(MeasureStatus.COMPLETED)
        if 0 < share < 100:
            return Status(MeasureStatus.IN_PROGRESS)
        if share == 0:
            return Status(MeasureStatus.NOT_STARTED)
    raise CellError(_("Unknown status (use 未开始, 整改中, 已完成 or 立行立改)."))


# Sources and levels: the ledger's choices, plus the words seen in real files.

SOURCE_WORDS = (
    ("指导组", Source.GUIDANCE_GROUP),
    ("自查", Source.SELF_EXAMINATION),
    ("自我检视", Source.SELF_EXAMINATION),
    ("检视", Source.SELF_EXAMINATION),
    ("征求意见", Source.OPINIONS),
    ("意见建议", Source.OPINIONS),
    ("群众反映", Source.OPINIONS),
    ("调研", Source.RESEARCH),
    ("调查研究", Source.RESEARCH),
    ("巡视", Source.SUPERIOR),
    ("巡察", Source.SUPERIOR),
    ("审计", Source.SUPERIOR),
    ("督查", Source.SUPERIOR),
    ("上级", Source.SUPERIOR),
)
LEVEL_WORDS = (  # the longer word first: 班子成员 is a person, 班子 the group
    ("班子成员", Level.LEADER),
    ("领导干部", Level.LEADER),
    ("个人", Level.LEADER),
    ("领导班子", Level.LEADERSHIP_GROUP),
    ("班子", Level.LEADERSHIP_GROUP),
    ("党员", Level.MEMBER),
    ("干部", Level.MEMBER),
    ("单位", Level.UNIT),
)


def _by_words(value, choices, words, default) -> tuple[str, bool]:
    folded = fold(value)
    if not folded:
        return default, True
    exact = _choice_words(choices)
    if folded in exact:
        return exact[folded], True
    for word, choice in words:
        if word in folded:
            return choice, True
    return default, False


def parse_source(value) -> tuple[str, bool]:
    """``(source, recognised)``: unknown sources become "other" (the caller warns)."""
    return _by_words(value, Source, SOURCE_WORDS, Source.OTHER)


def parse_level(value) -> tuple[str, bool]:
    """``(level, recognised)``: unknown levels become "unit" (the caller warns)."""
    return _by_words(value, Level, LEVEL_WORDS, Level.UNIT)


# People ---------------------------------------------------------------------------------

_NAME_SEPARATORS = re.compile(r"[、，,;；/\s]+")
_NAME_NOTES = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NAME_SUFFIX = re.compile(r"(同志|等)$")


def split_names(value) -> list[str]:
    """The persons named in a cell, in order, without duplicates or notes in brackets."""
    cleaned = _NAME_NOTES.sub(" ", unicodedata.normalize("NFKC", text(value)))
    names = []
    for part in _NAME_SEPARATORS.split(cleaned):
        name = part.strip().strip(":：.。")
        bare = _NAME_SUFFIX.sub("", name)
        # "张强同志" is 张强; a two-character name ending in 同志 or 等 stays whole.
        name = bare if len(bare) >= 2 else name
        if name and name not in names:
            names.append(name)
    return names


# Rectify's own ids (the hidden last column of an exported file) -----------------------

_RECORD_ID = re.compile(r"^P(\d+)(?:-M(\d+))?$")


def parse_record_id(value) -> tuple[int, int | None] | None:
    """``(problem id, measure id or None)`` from ``P12-M34`` / ``P12``; ``None`` otherwise."""
    match = _RECORD_ID.match(text(value).upper())
    if not match:
        return None
    return int(match[1]), int(match[2]) if match[2] else None
