"""Recording and verifying the hash-chained event log."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from accordo.core.context import RequestContext
from accordo.core.models import Event, EventChainHead

if TYPE_CHECKING:
    from accordo.accounts.models import User
    from accordo.clients.models import Organisation

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-normalise a payload so what is hashed is exactly what the database gives back."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def event_hash(fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _hashed_fields(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "public_id": str(event.public_id),
        "created_at": event.created_at.astimezone(datetime.UTC).isoformat(),
        "verb": event.verb,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "mfa_passed": event.mfa_passed,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }


def event_record(
    *,
    actor: User | None,
    ctx: RequestContext,
    verb: str,
    target: models.Model | None = None,
    organisation: Organisation | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event in the caller's transaction; the dispatcher runs after commit.

    Must be called inside ``transaction.atomic`` (every service is): the event and the change it
    describes commit together or not at all.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside a transaction (call it from a service)")
    head, _ = EventChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    event = Event(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        verb=verb,
        actor=actor,
        actor_label=(actor.email if actor else ctx.source)[:254],
        organisation=organisation,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", getattr(target, "pk", ""))) if target is not None else "",
        ip=ctx.ip,
        user_agent=ctx.user_agent[:400],
        mfa_passed=ctx.mfa_passed,
        data=_canonical(data or {}),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(_hashed_fields(event))
    event.save(force_insert=True)
    EventChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    from accordo.core.tasks import dispatch_events_soon

    transaction.on_commit(dispatch_events_soon)
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def verify_chain(batch_size: int = 2000) -> tuple[int, ChainProblem | None]:
    """Walk the log in order; return how many events were checked and the first problem found."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    events: Iterator[Event] = Event.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.seq != expected_seq:
            return checked, ChainProblem(expected_seq, "event is missing (deleted)")
        if event.prev_hash != expected_prev:
            return checked, ChainProblem(event.seq, "link to the previous event is broken")
        if event_hash(_hashed_fields(event)) != event.hash:
            return checked, ChainProblem(event.seq, "content was changed after it was written")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = EventChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq > checked:
        return checked, ChainProblem(checked + 1, "newest events are missing (deleted)")
    if head is not None and head.last_hash != expected_prev:
        return checked, ChainProblem(checked, "newest event was changed after it was written")
    return checked, None
