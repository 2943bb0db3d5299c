"""The hash-chained, append-only event log and the verify_events command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from accordo.core.context import RequestContext
from accordo.core.events import GENESIS_HASH, _hashed_fields, event_hash, event_record, verify_chain
from accordo.core.models import AppendOnlyError, Event, EventChainHead

pytestmark = pytest.mark.django_db

CTX = RequestContext(ip="192.0.2.7", user_agent="pytest", mfa_passed=True)


def record(n: int = 1, *, actor=None, organisation=None, verb: str = "test.happened") -> list[Event]:
    events = []
    with transaction.atomic():
        for i in range(n):
            events.append(
                event_record(actor=actor, ctx=CTX, verb=verb, organisation=organisation, data={"i": i, "note": "é"})
            )
    return events


def verify() -> str:
    out = StringIO()
    call_command("verify_events", stdout=out)
    return out.getvalue()


def raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- recording -----------------------------------------------------------------------------------


def test_it_chains_each_event_to_the_one_before():
    events = record(4)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in events}) == 4


def test_it_keeps_the_sequence_contiguous_across_transactions():
    record(2)
    record(3)
    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5]
    head = EventChainHead.objects.get(pk=1)
    assert head.last_seq == 5
    assert head.last_hash == Event.objects.get(seq=5).hash


def test_it_does_not_use_a_sequence_number_of_a_rolled_back_transaction():
    record(1)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        event_record(actor=None, ctx=CTX, verb="test.lost")
        raise ZeroDivisionError
    (after,) = record(1)
    assert after.seq == 2
    assert after.prev_hash == Event.objects.get(seq=1).hash
    assert not Event.objects.filter(verb="test.lost").exists()


def test_it_stores_who_where_and_what(client_owner, organisation):
    (event,) = record(actor=client_owner, organisation=organisation, verb="client.data_changed")
    event.refresh_from_db()
    assert event.actor == client_owner
    assert event.actor_label == client_owner.email
    assert event.organisation == organisation
    assert event.ip == "192.0.2.7"
    assert event.user_agent == "pytest"
    assert event.mfa_passed is True
    assert event.data == {"i": 0, "note": "é"}


def test_it_labels_a_system_event_by_its_source():
    with transaction.atomic():
        event = event_record(actor=None, ctx=RequestContext.system("worker"), verb="test.system")
    assert event.actor_label == "worker"
    assert event.mfa_passed is False


def test_it_hashes_exactly_what_the_database_gives_back():
    with transaction.atomic():
        event = event_record(actor=None, ctx=CTX, verb="test.payload", data={"when": object, "n": 1.5})
    stored = Event.objects.get(pk=event.pk)
    assert event_hash(_hashed_fields(stored)) == stored.hash


def test_it_refuses_to_record_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match="inside a transaction"):
        event_record(actor=None, ctx=CTX, verb="test.loose")
    assert Event.objects.count() == 0


# --- append-only ---------------------------------------------------------------------------------


def test_it_refuses_to_save_an_existing_event():
    (event,) = record()
    event.verb = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get(pk=event.pk).verb == "test.happened"


def test_it_refuses_to_delete_an_event():
    (event,) = record()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_it_refuses_queryset_updates_and_deletes():
    record(2)
    with pytest.raises(AppendOnlyError):
        Event.objects.all().update(verb="test.rewritten")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(seq=1).delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert list(Event.objects.values_list("verb", flat=True)) == ["test.happened", "test.happened"]


# --- verify_events -------------------------------------------------------------------------------


def test_it_verifies_an_empty_log():
    assert "OK: 0 events" in verify()


def test_it_verifies_an_intact_log():
    record(5)
    assert "OK: 5 events, chain intact" in verify()


def test_it_names_an_event_whose_data_was_changed():
    record(4)
    raw("UPDATE core_event SET data = %s WHERE seq = %s", [json.dumps({"i": 99}), 3])
    with pytest.raises(CommandError, match=r"event #3: content was changed.*\(2 events before it are intact\)"):
        verify()


def test_it_names_an_event_whose_verb_was_changed():
    record(3)
    raw("UPDATE core_event SET verb = %s WHERE seq = %s", ["approval.approved", 1])
    with pytest.raises(CommandError, match=r"event #1: content was changed"):
        verify()


def test_it_names_a_deleted_middle_event():
    record(5)
    raw("DELETE FROM core_event WHERE seq = %s", [3])
    with pytest.raises(CommandError, match=r"event #3: event is missing \(deleted\)"):
        verify()


def test_it_notices_the_newest_event_was_deleted():
    record(4)
    raw("DELETE FROM core_event WHERE seq = %s", [4])
    with pytest.raises(CommandError, match=r"event #4: newest events are missing"):
        verify()


def test_it_notices_every_event_was_deleted():
    record(2)
    raw("DELETE FROM core_event", [])
    with pytest.raises(CommandError, match=r"event #1: newest events are missing"):
        verify()


def test_it_notices_a_rehashed_event_by_the_broken_link_of_the_next():
    record(4)
    tampered = Event.objects.get(seq=2)
    tampered.data = {"i": 42}
    new_hash = event_hash(_hashed_fields(tampered))
    raw("UPDATE core_event SET data = %s, hash = %s WHERE seq = %s", [json.dumps({"i": 42}), new_hash, 2])
    with pytest.raises(CommandError, match=r"event #3: link to the previous event is broken"):
        verify()


def test_it_notices_the_newest_event_rehashed_by_the_chain_head():
    record(3)
    tampered = Event.objects.get(seq=3)
    tampered.data = {"i": 42}
    new_hash = event_hash(_hashed_fields(tampered))
    raw("UPDATE core_event SET data = %s, hash = %s WHERE seq = %s", [json.dumps({"i": 42}), new_hash, 3])
    problem = verify_chain()[1]
    assert problem is not None
    with pytest.raises(CommandError, match=r"event #3: newest event was changed"):
        verify()


def test_it_exits_non_zero_when_the_chain_is_broken():
    record(2)
    raw("DELETE FROM core_event WHERE seq = %s", [1])
    with pytest.raises(CommandError) as excinfo:
        verify()
    assert excinfo.value.returncode == 1
    assert "event #1" in str(excinfo.value)


def test_it_walks_the_chain_in_batches():
    record(7)
    assert verify_chain(batch_size=2) == (7, None)
