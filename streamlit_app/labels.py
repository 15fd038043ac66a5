"""Plain words for the codes the marts hold: one glossary for every page, download and printout.

The marts keep stable codes (`staff_attitude`, `survey_comment`, `eap_utilisation_pct`) because SQL users and
tests rely on them; people read `plain(code)`. Add a code here when a page shows it; a code not listed is
written as words (underscores to spaces, first letter capitalised, known abbreviations in capitals), never
shown raw, and never as `None` (missing values read "Not recorded").
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping

MISSING = "Not recorded"

# Abbreviations kept in capitals when a code is turned into words.
ABBREVIATIONS = {"nps", "csat", "ces", "eap", "aht", "fcr", "cltv", "aov", "roi", "crm", "hr", "id"}
# Words a code abbreviates otherwise.
WORDS = {"pct": "%", "enps": "eNPS", "avg": "average", "3m": "(3 months)", "12m": "(12 months)", "qty": "quantity"}

GLOSSARY: dict[str, str] = {
    # Where a customer's words came from (customer_text_sentiment.source and friends)
    "survey_comment": "Survey comment",
    "ticket_text": "Support ticket",
    "ticket": "Support ticket",
    "review": "Online review",
    # Text themes (seed text_themes.csv)
    "staff_attitude": "Staff attitude",
    "waiting": "Waiting time",
    "delivery": "Delivery",
    "price": "Price",
    "product": "The product",
    "refund": "Refunds",
    # Notification states (meta.alert_notifications.status)
    "dry_run": "Not sent: notifications are in test mode",
    "sent": "Sent",
    "failed": "Sending failed",
    # Severities and statuses
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    "open": "Open",
    "resolved": "Resolved",
    # Sentiment
    "positive": "Positive",
    "negative": "Negative",
    "neutral": "Neutral",
    # --- Employee empathy page (survey dimensions, manager questions, tenure bands, breakdowns) ---
    "1-3y": "1–3 years",
    "3-5y": "3–5 years",
    "5y+": "5 years or more",
    "<1y": "Under 1 year",
    "engagement": "Engagement",
    "manager_empathy": "Manager empathy",
    "mgr_feedback": "Constructive feedback",
    "mgr_listening": "Active listening",
    "mgr_needs": "Responsiveness to needs",
    "mgr_open": "Open communication",
    "mgr_recognition": "Recognition",
    "presenteeism": "Presenteeism",
    "tenure_band": "Tenure band",
    "wellbeing": "Well-being",
    # --- Customer and brand pages (customer engineer, s12) ---
    # Channels, touchpoints and ticket categories of the customer marts
    "chat": "Chat",
    "email": "E-mail",
    "phone": "Phone",
    "store": "Store",
    "web": "Website",
    # Churn basis (customer_churn_summary.churn_basis)
    "inactivity": "No order for a while (no subscription status)",
    "status": "Subscription ended (CRM status)",
    # Detractor themes: a comment matching no theme of the seed
    "no_theme": "No recognised theme",
    # Sentiment sources and labels (customer_handle_time_sentiment, brand_review_examples)
    "survey_score": "The customer's latest survey answer",
    "unscored": "Not scored",
    # Brand text sources and review languages
    "mention": "Social mention",
    "en": "English",
    "fr": "French",
    "und": "Unknown language",
}


# An alert's owner when seed alert_owners.csv names nobody for its place: "<scope> manager: <place>", as
# dbt_project/models/marts/alerts/alert_breaches.sql writes it.
UNNAMED_OWNER = re.compile(r"(location|team|brand) manager: (.+)")


def owner_words(owner: object, roles_by_place: Mapping[tuple[str, str], str] | None = None) -> str:
    """An alert's owner as a person reads it. A named owner (alert_owners.csv) reads as the business wrote it;
    an unnamed one by who they are: the role the login file gives whoever is scoped to that location or team
    (`roles_by_place`: (scope, place) -> role label), e.g. "Location or team manager for team Sales", else "The
    owner of Leeds" / "The owner of team Sales" / "The owner of the brand". Never the raw code."""
    if owner is None or (isinstance(owner, float) and math.isnan(owner)):
        return MISSING
    found = UNNAMED_OWNER.fullmatch(str(owner).strip())
    if not found:
        return str(owner)
    kind, place = found.groups()
    if kind == "brand":
        return "The owner of the brand"
    where = f"team {place}" if kind == "team" else place
    role = (roles_by_place or {}).get((kind, place))
    return f"{role} for {where}" if role else f"The owner of {where}"


def plain(code: object) -> str:
    """The words a person reads for `code`: its glossary entry, else the code written as words. Remembered per
    code (and type: 1 and 1.0 read differently): a page writes the same few codes on thousands of rows (D781)."""
    try:
        return _plain_remembered(code)
    except TypeError:  # a code that cannot be remembered (unhashable): written afresh
        return _plain(code)


def _plain(code: object) -> str:
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return MISSING
    text = str(code)
    if UNNAMED_OWNER.fullmatch(text.strip()):
        return owner_words(text)
    if text in GLOSSARY:
        return GLOSSARY[text]
    words = [_word(w) for w in re.split(r"[_\s]+", text.strip()) if w]
    if not words:
        return MISSING
    first = words[0] if words[0][:1].isupper() or words[0] in WORDS.values() else words[0][:1].upper() + words[0][1:]
    return " ".join([first, *words[1:]])


_plain_remembered = functools.lru_cache(maxsize=8_192, typed=True)(_plain)


def _word(word: str) -> str:
    lower = word.lower()
    if lower in ABBREVIATIONS:
        return word.upper()
    return WORDS.get(lower, word)


def plain_all(codes: Iterable[object]) -> list[str]:
    return [plain(c) for c in codes]


# A published pseudonym (a keyed hash: "cus_6c83ad5e34448a36", "agt_…"): a lookup key, never words to read.
PSEUDONYM = re.compile(r"\b(cus|agt)_[0-9a-f]{8,}\b")
PSEUDONYM_WORDS = {"cus": "a customer", "agt": "an agent"}


def alert_reason_words(reason: object, scope: object = None, scope_value: object = None) -> str:
    """An alert's reason sentence as a person reads it: a customer alert names "A customer", never the customer's
    pseudonym (alert logs written before the reason left it out still hold "Customer cus_…"); any other
    pseudonym reads as "a customer" / "an agent"."""
    if reason is None or (isinstance(reason, float) and math.isnan(reason)):
        return MISSING
    text = str(reason)
    if scope == "customer" and isinstance(scope_value, str) and scope_value:
        text = text.replace(f"Customer {scope_value}", "A customer").replace(scope_value, "the customer")
    return PSEUDONYM.sub(lambda m: PSEUDONYM_WORDS[m.group(1)], text)
