"""Unit tests of the free-text redaction rules (dagster_project/text/redaction.py)."""

from __future__ import annotations

import pytest

from dagster_project.text.redaction import MARKERS, Redactor, name_token_hash

KEY = "unit-test-key"
NAMES = {name_token_hash(KEY, w) for w in ("Priya", "Okafor", "Jordan")}
redactor = Redactor(KEY, NAMES)


def redacted(text: str) -> str:
    return redactor.redact(text).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to ann.lee+shop@mail.example.co.uk.", "Write to [e-mail removed]."),
        ("mail me: BOB_99@example.com, thanks", "mail me: [e-mail removed], thanks"),
        ("Call +44 20 7946 0958 today", "Call [phone removed] today"),
        ("Call +1 (555) 010-4477.", "Call [phone removed]."),
        ("ring 0033 1 23 45 67 89 please", "ring [phone removed] please"),
        ("my mobile is 07700 900123", "my mobile is [phone removed]"),
        ("my mobile is 07700900123", "my mobile is [phone removed]"),
        ("tel. 555-123-4567!", "tel. [phone removed]!"),
        ("card 4111 1111 1111 1111 was charged twice", "card [card number removed] was charged twice"),
        ("card 4111-1111-1111-1111.", "card [card number removed]."),
        ("see https://shop.example.com/track?order=88&email=x", "see [link removed]"),
        ("see https://shop.example.com/u/a8f3k2m9x7q1z5.", "see [link removed]."),
        ("Priya Okafor was lovely", "[name removed] was lovely"),
        ("thanks to jordan", "thanks to jordan"),
    ],
)
def test_redacts(text, expected):
    assert redacted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Delivered on 2024-03-15 at 10:30, two days late.",
        "Delivered 15/03/2024, order 4471234.",
        "Order #100234567 never arrived",
        "Order ORD-2024-000123 never arrived",
        "Refund of 1234.56 came after 14 days",
        "The help page https://example.com/help was useless",
        "card 4111 1111 1111 1112 (fails Luhn) is not a card",
        "I waited 45 minutes",
        "May I say, the staff were great",
    ],
)
def test_leaves_alone(text):
    assert redacted(text) == text


def test_counts_each_kind():
    result = redactor.redact("a@b.io or c@d.io, +33 6 12 34 56 78, Jordan")
    assert result.counts == {"email": 2, "url": 0, "card": 0, "phone": 1, "name": 1}
    assert result.total == 4
    assert set(MARKERS) == set(result.counts)


def test_names_need_the_key_list():
    assert Redactor(KEY, ()).redact("Priya Okafor").text == "Priya Okafor"
    assert Redactor("another-key", NAMES).redact("Priya").text == "Priya"
