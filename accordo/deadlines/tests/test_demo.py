from io import StringIO

from django.core.management import call_command

from accordo.clients.models import Organisation
from accordo.core.models import Event
from accordo.deadlines.models import DeadlineTask, OrganisationDeadline


def test_it_seeds_a_calendar_for_every_demo_organisation_once(db):
    call_command("seed_demo", stdout=StringIO())
    rows = OrganisationDeadline.objects.count()
    with_deadlines = set(OrganisationDeadline.objects.values_list("organisation__name", flat=True))
    assert set(Organisation.objects.values_list("name", flat=True)) == with_deadlines
    assert Event.objects.filter(verb="calendars.generated").count() == 1
    bakery = Organisation.objects.get(name="Bakkerij De Zon B.V.")
    assert bakery.has_payroll and bakery.deadlines.filter(kind="payroll_tax_return").count() >= 12
    assert DeadlineTask.objects.filter(task__isnull=False).exists()  # tasks started 30 days ahead
    assert not Organisation.objects.exclude(assignments__role="assistant").exists()
    events = Event.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert OrganisationDeadline.objects.count() == rows and Event.objects.count() == events
