from django.test import RequestFactory

from accordo.clients.models import Firm
from accordo.clients.selectors import firm_fast, firm_for_request, firm_get


def test_it_sees_a_change_made_elsewhere_at_once(db):
    firm_get()
    assert firm_fast().name == "Accordo"
    Firm.objects.update(name="Elders Gewijzigd")  # as another process would, without save()
    assert firm_fast().name == "Elders Gewijzigd"


def test_it_gives_each_caller_its_own_copy(db):
    firm_get()
    first = firm_fast()
    first.name = "Alleen in dit verzoek"
    assert firm_fast().name == "Accordo"


def test_it_gives_each_caller_its_own_lists_and_keeps_the_logo(db):
    firm_get()
    Firm.objects.update(locked_fields=["name"], logo="branding/logo.png")
    firm_fast()
    first, second = firm_fast(), firm_fast()
    first.locked_fields.append("bsn")
    assert second.locked_fields == ["name"] and firm_fast().locked_fields == ["name"]
    assert second.logo.name == "branding/logo.png" and second.logo.instance is second
    assert second.pk == first.pk and not second._state.adding


def test_it_reads_the_firm_once_per_request(db, django_assert_num_queries):
    firm_get()
    firm_fast()  # this process now holds the current row
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        assert firm_for_request(request) is firm_for_request(request)
