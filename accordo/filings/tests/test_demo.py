"""The demo seed of filings: after the clients' and approvals' seeds, twice without change."""

from accordo.clients import demo as clients_demo
from accordo.core.context import RequestContext
from accordo.deadlines.models import OrganisationDeadline
from accordo.filings import demo
from accordo.filings.models import Assessment, TaxReturn


def test_the_demo_seed_makes_returns_and_assessments_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clients_demo.seed()
    from accordo.accounts.models import User

    admin = User.objects.get(email="beheer@demo.accordo.nl")
    accountant = User.objects.get(email="accountant@demo.accordo.nl")
    client = User.objects.get(email="klant@demo.accordo.nl")
    ctx = RequestContext.system("seed_demo")
    for _ in range(2):
        demo.seed(admin=admin, accountant=accountant, client=client, ctx=ctx)
    assert Assessment.objects.filter(outcome="conform").count() == 2
    assert Assessment.objects.filter(outcome="not_conform").count() == 1
    assert OrganisationDeadline.objects.filter(kind="objection").count() == 1
    assert TaxReturn.objects.filter(type="ib", period="2025", status="for_approval").exists()  # from the approvals demo
