"""Redact personal data that customers type into free text before any of it is published.

Each finding is replaced by a plain marker ("[e-mail removed]"), and counted by kind so the Data quality page
can say how much was removed. Rules, in order (an earlier rule's marker is never re-examined):

- e-mail addresses;
- links carrying a personal token: a query string, or a path segment that looks like an id (12+ letters and
  digits mixed, or 8+ digits); a plain link to a page (https://example.com/help) stays;
- card-like numbers: 13-19 digits, optionally in groups, that pass the Luhn check;
- phone numbers: 9-15 digits in groups, optionally with a +/00 country code; an unbroken digit run counts
  only with a + or a leading 0 (an order number does not), and anything that reads as a date does not;
- person names the CRM/HRIS holds for the business: the loader keeps a keyed hash of every name token
  (dagster_project/loading/name_list.py), never the name; a capitalised word whose keyed hash is in that
  list is a name. Adjacent name words become one marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from dagster_project.loading.name_list import name_token_hash

# Bump when a rule changes: every stored redaction is redone.
RULES_VERSION = "1"

MARKERS = {
    "email": "[e-mail removed]",
    "url": "[link removed]",
    "card": "[card number removed]",
    "phone": "[phone removed]",
    "name": "[name removed]",
}
KINDS = tuple(MARKERS)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
_ID_SEGMENT = re.compile(r"(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{12,}|\d{8,}")
_CARD = re.compile(r"(?<![\w+-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(r"(?<![\w#/.+-])(?:\+|\b00)?\(?\d[\d \t().-]{6,}\d(?![\w-])")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}:\d{2}")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NAME_RUN = re.compile(r"\[name removed\](?:[ \t]+\[name removed\])+")


@dataclass
class Redaction:
    text: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    return 13 <= len(digits) <= 19 and _luhn_ok(digits)


def _is_phone(match: str) -> bool:
    if _DATE.search(match):
        return False
    digits = re.sub(r"\D", "", match)
    if not 9 <= len(digits) <= 15:
        return False
    international = match.startswith(("+", "00"))
    grouped = bool(re.search(r"[ \t().-]", match.strip()))
    return international or grouped and len(digits) <= 13 or match.startswith("0") and len(digits) in (10, 11)


def _url_is_personal(url: str) -> bool:
    body = url.split("://", 1)[-1]
    if "?" in body and body.split("?", 1)[1]:
        return True
    path = body.split("/", 1)[1] if "/" in body else ""
    return any(_ID_SEGMENT.fullmatch(part) for part in re.split(r"[/#;=&]", path) if part)


class Redactor:
    """The rules above, with the business's keyed name list (empty: names are not looked for)."""

    def __init__(self, key: str = "", name_hashes: Collection[str] = ()):
        self._key = key
        self._names = frozenset(name_hashes)

    def _sub(self, pattern: re.Pattern, text: str, kind: str, counts: dict, keep: Callable[[str], bool]) -> str:
        def replace(m: re.Match) -> str:
            value = m.group(0)
            trailing = ""
            if kind == "url":
                stripped = value.rstrip(_URL_TRAILING)
                trailing, value = value[len(stripped) :], stripped
            if not keep(value):
                return m.group(0)
            counts[kind] += 1
            return MARKERS[kind] + trailing

        return pattern.sub(replace, text)

    def redact(self, text: str) -> Redaction:
        result = Redaction(text)
        counts = result.counts
        out = self._sub(_EMAIL, text, "email", counts, lambda _: True)
        out = self._sub(_URL, out, "url", counts, _url_is_personal)
        out = self._sub(_CARD, out, "card", counts, _is_card)
        out = self._sub(_PHONE, out, "phone", counts, _is_phone)
        if self._names:
            out = self._sub(_WORD, out, "name", counts, self._is_name)
            out = _NAME_RUN.sub(MARKERS["name"], out)
        result.text = out
        return result

    def _is_name(self, word: str) -> bool:
        return word[:1].isupper() and len(word) > 1 and name_token_hash(self._key, word) in self._names
