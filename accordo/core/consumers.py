"""Consumers of the event log: each reads events in order and remembers how far it got.

A consumer registers handlers per verb. The dispatcher (a huey job, after every commit and once a
minute) feeds each consumer the events after its offset and advances the offset only after the
handler succeeded, so a crash or a failing handler loses nothing: the next run starts from the
first event not yet handled. Handlers must therefore be safe to run twice for one event.

A consumer whose handlers are data-driven (the signal rules) registers one handler for every verb
with ``on_any_event``; a consumer added to a running installation can ask to start at the newest
event (``start_at_newest``) instead of replaying the whole history.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from accordo.core.models import ConsumerOffset, Event, EventChainHead

logger = logging.getLogger(__name__)
Handler = Callable[[Event], None]
_HANDLERS: dict[str, dict[str, list[Handler]]] = defaultdict(lambda: defaultdict(list))
CONSUMER_NAMES = ("notifications", "rules", "calendar", "filings")
ANY_VERB = "*"  # the handler table's key for handlers of every event
_START_AT_NEWEST: set[str] = set()


def on_event(consumer: str, *verbs: str) -> Callable[[Handler], Handler]:
    """Register the decorated function to handle ``verbs`` for the named consumer."""
    if consumer not in CONSUMER_NAMES:
        raise ValueError(f"unknown consumer {consumer!r}")

    def register(func: Handler) -> Handler:
        for verb in verbs:
            _HANDLERS[consumer][verb].append(func)
        return func

    return register


def on_any_event(consumer: str) -> Callable[[Handler], Handler]:
    """Register the decorated function to handle every event for the named consumer."""
    return on_event(consumer, ANY_VERB)


def start_at_newest(consumer: str) -> None:
    """Let ``consumer``, the first time it runs, begin after the newest event instead of the first."""
    if consumer not in CONSUMER_NAMES:
        raise ValueError(f"unknown consumer {consumer!r}")
    _START_AT_NEWEST.add(consumer)


def _offset(name: str) -> ConsumerOffset:
    offset = ConsumerOffset.objects.filter(name=name).first()
    if offset is not None:
        return offset
    start = 0
    if name in _START_AT_NEWEST:
        start = EventChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    offset, _ = ConsumerOffset.objects.get_or_create(name=name, defaults={"last_seq": start})
    return offset


def consumer_run(name: str, *, batch: int = 500) -> int:
    """Feed ``name`` every event after its offset; return how many events it handled."""
    handlers = _HANDLERS[name]
    offset = _offset(name)
    handled = 0
    while True:
        events = list(Event.objects.filter(seq__gt=offset.last_seq).order_by("seq")[:batch])
        if not events:
            return handled
        for event in events:
            for handler in (*handlers.get(event.verb, ()), *handlers.get(ANY_VERB, ())):
                try:
                    handler(event)
                except Exception as exc:
                    ConsumerOffset.objects.filter(pk=offset.pk).update(
                        last_error=f"#{event.seq} {event.verb}: {exc!r}"[:2000]
                    )
                    logger.exception("consumer %s failed on event #%s", name, event.seq)
                    raise
            ConsumerOffset.objects.filter(pk=offset.pk).update(last_seq=event.seq, last_error="")
            offset.last_seq = event.seq
            handled += 1


def load_handlers() -> None:
    """Import the modules that register handlers (called once the apps are ready)."""
    from accordo.accounts import notifications  # noqa: F401
    from accordo.approvals import notifications as approval_notifications  # noqa: F401
    from accordo.clients import notifications as client_notifications  # noqa: F401
    from accordo.deadlines import handlers as deadline_handlers  # noqa: F401
    from accordo.deliveries import notifications as delivery_notifications  # noqa: F401
    from accordo.work import engine  # noqa: F401
