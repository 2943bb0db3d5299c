from django.db import transaction

from accordo.accounts import services
from accordo.core.context import RequestContext


def test_it_delivers_the_branded_invitation_over_smtp(transactional_db, smtp_server, firm_admin, organisation):
    with transaction.atomic():
        services.invitation_create(
            actor=firm_admin,
            ctx=RequestContext.system("test"),
            organisation=organisation,
            email="new.person@client.test",
            role="owner",
            full_name="Nina Nieuw",
        )
    mail = smtp_server.wait_for(to="new.person@client.test")
    assert organisation.name in mail.subject
    assert "&amp;" not in mail.subject and "&amp;" not in mail.text()
    assert "/invitation/" in mail.text()
    assert "Nina Nieuw" in mail.html()
