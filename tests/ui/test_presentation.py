"""What each verdict says to staff: the words that tell them what to do next."""

from __future__ import annotations

from dataclasses import replace

from scanner.verdict import Tone, VerdictKind
from tests.ui.views import every_verdict
from ui.presentation import COLOURS, Badge, counts_text, view_of

VERDICTS = dict(every_verdict())


def test_expired_and_not_yet_valid_show_the_window_in_the_events_zone() -> None:
    expired = view_of(VERDICTS["expired"])
    # valid_from 2026-11-23 12:00 UTC is 19:00 in Jakarta (WIB, UTC+7).
    assert "valid 2026-11-23 19:00 WIB to 2026-11-24 18:00 WIB" in expired.detail
    early = view_of(VERDICTS["not_yet_valid"])
    assert early.colour == COLOURS[Tone.WARNING]  # staff can resolve it: come back later
    assert "WIB" in early.detail


def test_wrong_event_names_the_event_when_the_kiosk_knows_it() -> None:
    named = view_of(VERDICTS["wrong_event"])
    assert "this ticket is for Harbour Nights Festival 2026: Closing Night" in named.detail
    unnamed = view_of(replace(VERDICTS["wrong_event"], event_name=""))
    assert "this ticket is for event no. 42" in unnamed.detail


def test_unknown_issuer_says_what_to_do() -> None:
    view = view_of(VERDICTS["unknown_key"])
    assert view.title == "UNKNOWN ISSUER"
    assert "send the guest to the box office" in view.detail


def test_a_passback_is_red_and_says_when_and_where_it_went_in() -> None:
    view = view_of(VERDICTS["needs_exit_first"])
    assert (view.title, view.colour) == ("ALREADY INSIDE", COLOURS[Tone.REJECT])
    assert "entered 19:00 at Gerbang Utara Tribun Timur 12" in view.detail


def test_vip_and_accessible_are_badges_as_well_as_words() -> None:
    view = view_of(VERDICTS["admitted"])
    assert view.badges == (Badge.VIP, Badge.ACCESSIBLE)
    assert "accessible" in view.detail


def test_counts_are_words_not_keys() -> None:
    text = counts_text({"admitted": 2, "already_used": 1, "needs_exit_first": 3})
    assert text == "already inside 3 · admitted 2 · already used 1"
    assert "_" not in text


def test_every_kind_has_a_view() -> None:
    assert {str(kind) for kind in VerdictKind} <= set(VERDICTS)
