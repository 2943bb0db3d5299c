import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_serves_the_dutch_login(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()


def test_it_logs_the_client_into_its_home(client, client_owner, organisation):
    client.force_login(client_owner)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert organisation.name in response.content.decode()
