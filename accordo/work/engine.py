"""The signal-rule engine: the 'rules' consumer of the event log (SPEC §10).

Rules are data, so one handler sees every event and looks up the active rules of its verb. A rule
matches when each of its conditions does (organisation tier, label, kind; the delivery's tray; the
approval's type); a condition the event says nothing about does not match. Firing is exactly once
per event and rule (see ``rule_fire``), so the consumer may run an event again after a crash.
The consumer starts after the newest event on an installation that had none of it: rules act on
what happens from now on, not on the history.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from accordo.approvals.models import Approval
from accordo.clients.models import Organisation
from accordo.core.consumers import on_any_event, start_at_newest
from accordo.core.models import Event
from accordo.deliveries.models import Delivery
from accordo.work.models import SignalRule
from accordo.work.services import OWN_VERB_PREFIXES, rule_fire

start_at_newest("rules")


class Facts:
    """What the conditions of a rule ask about one event, each read from the database once."""

    def __init__(self, event: Event) -> None:
        self.event = event

    @cached_property
    def organisation(self) -> Organisation | None:
        if self.event.organisation_id is None:
            return None
        return Organisation.objects.filter(pk=self.event.organisation_id).first()

    @cached_property
    def labels(self) -> set[str]:
        if self.organisation is None:
            return set()
        return {str(p) for p in self.organisation.labels.values_list("public_id", flat=True)}

    @cached_property
    def tray(self) -> str | None:
        if slug := self.event.data.get("tray"):
            return str(slug)
        if self.event.target_type != "deliveries.delivery":
            return None
        found = Delivery.objects.filter(public_id=self.event.target_id).values_list("tray__slug", flat=True).first()
        return str(found) if found else None

    @cached_property
    def approval_type(self) -> str | None:
        if kind := self.event.data.get("approval_type"):
            return str(kind)
        if self.event.target_type != "approvals.approval":
            return None
        return Approval.objects.filter(public_id=self.event.target_id).values_list("type", flat=True).first()

    def matches(self, key: str, allowed: list[str]) -> bool:
        if key == "label":
            return bool(self.labels & set(allowed))
        value: Any
        if key == "tier":
            value = self.organisation.tier if self.organisation else None
        elif key == "organisation_kind":
            value = self.organisation.kind if self.organisation else None
        elif key == "tray":
            value = self.tray
        elif key == "approval_type":
            value = self.approval_type
        else:
            return False  # a condition this engine does not know never matches
        return value is not None and value in allowed


def rule_matches(rule: SignalRule, facts: Facts) -> bool:
    for key, value in (rule.conditions or {}).items():
        allowed = value if isinstance(value, list) else [value]
        if not facts.matches(key, [str(v) for v in allowed]):
            return False
    return True


@on_any_event("rules")
def apply_signal_rules(event: Event) -> None:
    """Fire every active rule of the event's verb whose conditions match (once per event and rule)."""
    if event.verb.startswith(OWN_VERB_PREFIXES):
        return
    rules = list(
        SignalRule.objects.filter(verb=event.verb, active=True)
        .select_related("assignee", "mail_template", "workflow_template")
        .order_by("pk")
    )
    if not rules:
        return
    facts = Facts(event)
    for rule in rules:
        if rule_matches(rule, facts):
            rule_fire(rule=rule, event=event)
