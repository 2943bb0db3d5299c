"""Consumers of the event log: in order, from their offset, advancing only after success."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction

from accordo.core import consumers
from accordo.core.consumers import consumer_run, on_event
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.models import ConsumerOffset, Event

pytestmark = pytest.mark.django_db

NAME = "testing"


def record(*verbs: str) -> list[Event]:
    with transaction.atomic():
        return [event_record(actor=None, ctx=RequestContext.system("test"), verb=verb) for verb in verbs]


def offset() -> ConsumerOffset:
    return ConsumerOffset.objects.get(name=NAME)


@pytest.fixture
def handlers(monkeypatch):
    """A private consumer's handler table, removed again after the test."""
    table: defaultdict[str, list] = defaultdict(list)
    monkeypatch.setitem(consumers._HANDLERS, NAME, table)
    return table


def test_it_feeds_the_events_after_the_offset_in_order(handlers):
    seen: list[int] = []
    handlers["test.ping"].append(lambda event: seen.append(event.seq))
    record("test.ping", "test.ping")
    ConsumerOffset.objects.create(name=NAME, last_seq=1)
    record("test.ping", "test.other", "test.ping")

    handled = consumer_run(NAME)

    assert seen == [2, 3, 5]
    assert handled == 4  # events 2..5, including the one without a handler
    assert offset().last_seq == 5
    assert offset().last_error == ""


def test_it_starts_a_new_consumer_at_the_first_event(handlers):
    seen: list[str] = []
    handlers["test.ping"].append(lambda event: seen.append(event.verb))
    record("test.ping", "test.ping")
    assert consumer_run(NAME) == 2
    assert seen == ["test.ping", "test.ping"]


def test_it_runs_every_handler_of_a_verb(handlers):
    calls: list[str] = []
    handlers["test.ping"].extend([lambda e: calls.append("a"), lambda e: calls.append("b")])
    record("test.ping")
    consumer_run(NAME)
    assert calls == ["a", "b"]


def test_it_handles_nothing_new_on_a_second_run(handlers):
    seen: list[int] = []
    handlers["test.ping"].append(lambda event: seen.append(event.seq))
    record("test.ping", "test.ping")
    assert consumer_run(NAME) == 2
    assert consumer_run(NAME) == 0
    assert seen == [1, 2]
    assert offset().last_seq == 2


def test_it_reads_past_one_batch(handlers):
    seen: list[int] = []
    handlers["test.ping"].append(lambda event: seen.append(event.seq))
    record(*["test.ping"] * 5)
    assert consumer_run(NAME, batch=2) == 5
    assert seen == [1, 2, 3, 4, 5]
    assert offset().last_seq == 5


def test_it_stops_at_a_failing_handler_and_loses_nothing(handlers):
    seen: list[int] = []
    broken = {"yes": True}

    def flaky(event: Event) -> None:
        if event.verb == "test.fragile" and broken["yes"]:
            raise ValueError("mail server away")
        seen.append(event.seq)

    handlers["test.ping"].append(flaky)
    handlers["test.fragile"].append(flaky)
    record("test.ping", "test.fragile", "test.ping")

    with pytest.raises(ValueError, match="mail server away"):
        consumer_run(NAME)

    assert seen == [1]
    assert offset().last_seq == 1
    assert "#2 test.fragile" in offset().last_error
    assert "mail server away" in offset().last_error

    with pytest.raises(ValueError):
        consumer_run(NAME)
    assert seen == [1]
    assert offset().last_seq == 1

    broken["yes"] = False
    assert consumer_run(NAME) == 2
    assert seen == [1, 2, 3]
    assert offset().last_seq == 3
    assert offset().last_error == ""


def test_it_reruns_the_whole_failed_event_so_handlers_must_be_idempotent(handlers):
    calls: list[str] = []
    fail = {"yes": True}

    def first(event: Event) -> None:
        calls.append("first")

    def second(event: Event) -> None:
        if fail["yes"]:
            raise RuntimeError("boom")
        calls.append("second")

    handlers["test.ping"].extend([first, second])
    record("test.ping")
    with pytest.raises(RuntimeError):
        consumer_run(NAME)
    fail["yes"] = False
    consumer_run(NAME)
    assert calls == ["first", "first", "second"]


def test_it_registers_handlers_only_for_known_consumers():
    with pytest.raises(ValueError, match="unknown consumer"):
        on_event("no-such-consumer", "test.ping")


def test_it_registers_a_decorated_handler(monkeypatch):
    table: defaultdict[str, list] = defaultdict(list)
    monkeypatch.setitem(consumers._HANDLERS, "notifications", table)

    @on_event("notifications", "test.a", "test.b")
    def handler(event: Event) -> None:
        pass

    assert table["test.a"] == [handler]
    assert table["test.b"] == [handler]


def test_it_dispatches_to_the_consumers_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    seen: list[int] = []
    monkeypatch.setitem(consumers._HANDLERS["notifications"], "test.dispatched", [lambda e: seen.append(e.seq)])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (event,) = record("test.dispatched")
        assert seen == []

    assert len(callbacks) >= 1
    assert seen == [event.seq]
    assert ConsumerOffset.objects.get(name="notifications").last_seq == event.seq


def test_it_does_not_dispatch_a_rolled_back_event(monkeypatch, django_capture_on_commit_callbacks):
    seen: list[int] = []
    monkeypatch.setitem(consumers._HANDLERS["notifications"], "test.dispatched", [lambda e: seen.append(e.seq)])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        event_record(actor=None, ctx=RequestContext.system("test"), verb="test.dispatched")
        raise ZeroDivisionError

    assert callbacks == []
    assert seen == []
    assert not Event.objects.exists()


def test_it_feeds_every_event_to_a_handler_of_any_verb_after_the_verbs_own(handlers):
    calls: list[tuple[str, int]] = []
    handlers["test.ping"].append(lambda e: calls.append(("ping", e.seq)))
    handlers[consumers.ANY_VERB].append(lambda e: calls.append(("any", e.seq)))
    record("test.ping", "test.other")
    assert consumer_run(NAME) == 2
    assert calls == [("ping", 1), ("any", 1), ("any", 2)]


def test_it_registers_a_decorated_handler_of_every_verb(monkeypatch):
    table: defaultdict[str, list] = defaultdict(list)
    monkeypatch.setitem(consumers._HANDLERS, "rules", table)

    @consumers.on_any_event("rules")
    def handler(event: Event) -> None:
        pass

    assert table[consumers.ANY_VERB] == [handler]
    with pytest.raises(ValueError, match="unknown consumer"):
        consumers.on_any_event("no-such-consumer")


def test_a_consumer_that_asks_starts_after_the_newest_event_the_first_time(handlers, monkeypatch):
    monkeypatch.setattr(consumers, "_START_AT_NEWEST", {NAME})
    seen: list[int] = []
    handlers["test.ping"].append(lambda event: seen.append(event.seq))
    record("test.ping", "test.ping")

    assert consumer_run(NAME) == 0
    assert offset().last_seq == 2
    record("test.ping")
    assert consumer_run(NAME) == 1
    assert seen == [3]


def test_a_consumer_that_asks_starts_at_the_first_event_of_an_empty_log(handlers, monkeypatch):
    monkeypatch.setattr(consumers, "_START_AT_NEWEST", {NAME})
    assert consumer_run(NAME) == 0
    assert offset().last_seq == 0
    record("test.ping")
    assert consumer_run(NAME) == 1


def test_a_consumer_that_asks_keeps_its_offset_once_it_has_one(handlers, monkeypatch):
    monkeypatch.setattr(consumers, "_START_AT_NEWEST", {NAME})
    seen: list[int] = []
    handlers["test.ping"].append(lambda event: seen.append(event.seq))
    record("test.ping", "test.ping")
    ConsumerOffset.objects.create(name=NAME, last_seq=1)
    assert consumer_run(NAME) == 1
    assert seen == [2]


def test_only_known_consumers_can_start_at_the_newest_event():
    with pytest.raises(ValueError, match="unknown consumer"):
        consumers.start_at_newest("no-such-consumer")
