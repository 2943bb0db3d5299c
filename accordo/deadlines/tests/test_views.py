import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.deadlines import selectors, services
from accordo.deadlines.models import CalendarFeed
from accordo.testing.factories import AssignmentFactory, MembershipFactory, OrganisationFactory

CTX = RequestContext.system("test")


def _generate(organisation):
    services.calendar_generate(actor=None, ctx=CTX, organisation=organisation)


def _feed_url(feed, token=None):
    return reverse("deadlines:feed", args=[feed.public_id, token or selectors.feed_token(feed)])


def _since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=selectors.FEED_HISTORY_DAYS)


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


@pytest.fixture
def feed(client_owner):
    return services.calendar_feed_create(actor=client_owner, ctx=CTX)


def test_it_shows_staff_the_upcoming_and_past_deadlines(client, accountant, organisation):
    _generate(organisation)
    client.force_login(accountant)
    response = client.get(reverse("deadlines:staff_calendar", args=[organisation.public_id]))
    assert response.status_code == 200
    calendar = response.context["calendar"]
    today = timezone.localdate()
    assert calendar.upcoming and all(row.due_date >= today for row in calendar.upcoming)
    assert calendar.past and all(row.due_date < today for row in calendar.past)
    assert calendar.upcoming == sorted(calendar.upcoming, key=lambda r: r.due_date)


def test_it_shows_a_member_the_calendar_in_their_language(client, client_viewer, organisation):
    _generate(organisation)
    client_viewer.language = "en"
    client_viewer.save()
    client.force_login(client_viewer)
    response = client.get(reverse("deadlines:client_calendar", args=[organisation.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Corporate tax return" in body and "Upcoming deadlines" in body


def test_it_names_the_belgian_icp_return_a_listing(db):
    with translation.override("en"):
        assert selectors.kind_label("icp_return", "BE") == "Intra-community listing"
        assert selectors.kind_label("icp_return", "NL") == "Intra-community supplies return"


def test_it_serves_the_feed_of_a_members_organisations(client, client_owner, organisation, feed):
    organisation.name = 'Bakkerij "De Zon", Zoet; & Co'
    organisation.save()
    _generate(organisation)
    other = OrganisationFactory(name="Niet van mij B.V.")
    _generate(other)
    standard = OrganisationFactory(name="Standaard B.V.", tier="standard")  # no portal login on this tier
    MembershipFactory(user=client_owner, organisation=standard)
    _generate(standard)
    client_owner.language = "en"
    client_owner.save()

    response = client.get(_feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.endswith("END:VCALENDAR\r\n") and "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = _unfold(body)
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert summaries and all('Bakkerij "De Zon"\\, Zoet\\; & Co' in s for s in summaries)
    assert any(s.startswith("SUMMARY:Corporate tax return · ") for s in summaries)
    assert "Niet van mij" not in body and "Standaard" not in body
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == len(set(uids)) == len(summaries)
    assert f"UID:{organisation.public_id}-corporate_tax_return-{timezone.localdate().year}0101@127.0.0.1" in uids


def test_it_keeps_the_uids_when_the_calendar_is_regenerated(client, organisation, feed):
    _generate(organisation)
    before = [line for line in _unfold(client.get(_feed_url(feed)).content.decode()) if line.startswith("UID:")]
    organisation.deadlines.all().delete()
    _generate(organisation)
    after = [line for line in _unfold(client.get(_feed_url(feed)).content.decode()) if line.startswith("UID:")]
    assert before == after and before


def test_it_lists_the_assigned_organisations_in_a_staff_feed(client, accountant, organisation, other_organisation):
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    AssignmentFactory(organisation=organisation, user=accountant, role="tax_advisor")  # listed once, not twice
    _generate(organisation)
    _generate(other_organisation)
    staff_feed = services.calendar_feed_create(actor=accountant, ctx=CTX)
    body = client.get(_feed_url(staff_feed)).content.decode()
    assert organisation.name in body and other_organisation.name not in body
    uids = [line for line in _unfold(body) if line.startswith("UID:")]
    assert len(uids) == len(set(uids)) == organisation.deadlines.filter(due_date__gte=_since()).count()


def test_it_hides_a_revoked_feed(client, client_owner, feed):
    assert services.calendar_feed_revoke(actor=client_owner, ctx=CTX, feed=feed)
    assert client.get(_feed_url(feed)).status_code == 404


def test_it_hides_a_feed_behind_a_wrong_or_foreign_token(client, client_owner, other_member, feed):
    foreign = services.calendar_feed_create(actor=other_member, ctx=CTX)
    token = selectors.feed_token(feed)
    assert client.get(_feed_url(feed, token[:-4] + "beef")).status_code == 404
    assert client.get(_feed_url(feed, selectors.feed_token(foreign))).status_code == 404
    assert client.get(_feed_url(foreign, token)).status_code == 404
    unknown = reverse("deadlines:feed", args=["6f1c1f5e-52b5-4b51-9b3b-7c1c4c2b8f00", token])
    assert client.get(unknown).status_code == 404
    assert client.post(_feed_url(feed)).status_code == 405


def test_it_hides_the_feed_of_a_blocked_user(client, client_owner, feed):
    client_owner.is_active = False
    client_owner.save()
    assert client.get(_feed_url(feed)).status_code == 404


def test_it_makes_and_replaces_a_feed_from_the_profile(client, client_owner):
    client.force_login(client_owner)
    url = reverse("deadlines:profile_calendar")
    assert client.get(url).context["feed_url"] is None
    client.post(url, {"action": "create"})
    first = CalendarFeed.objects.get(user=client_owner)
    page = client.get(url)
    assert page.context["feed_url"] == selectors.feed_url(first)
    client.post(url, {"action": "create"})
    first.refresh_from_db()
    assert first.revoked_at is not None
    second = CalendarFeed.objects.get(user=client_owner, revoked_at=None)
    assert client.get(_feed_url(first)).status_code == 404
    assert client.get(_feed_url(second)).status_code == 200
    created = Event.objects.filter(verb="calendar_feed.created").order_by("seq")
    assert [e.data["replaced"] for e in created] == [[], [str(first.public_id)]]


def test_it_revokes_a_feed_from_the_profile(client, client_owner, feed):
    client.force_login(client_owner)
    response = client.post(reverse("deadlines:profile_calendar"), {"action": "revoke"})
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert Event.objects.filter(verb="calendar_feed.revoked", actor=client_owner).count() == 1


def test_it_changes_nothing_on_an_unknown_action(client, client_owner, feed):
    client.force_login(client_owner)
    events = Event.objects.count()
    client.post(reverse("deadlines:profile_calendar"), {"action": "steal"})
    assert Event.objects.count() == events and CalendarFeed.objects.get().revoked_at is None


def test_it_refuses_to_revoke_another_users_feed(client_owner, other_member, feed):
    with pytest.raises(PermissionError):
        services.calendar_feed_revoke(actor=other_member, ctx=CTX, feed=feed)


def test_it_lists_a_year_of_history_in_the_feed(client_owner, organisation):
    services.calendar_generate(actor=None, ctx=CTX, organisation=organisation, years=(2015, 2016))
    _generate(organisation)
    due = [d.due_date for d in selectors.feed_deadlines(client_owner)]
    assert due and min(due) >= _since()
