"""Dutch and Belgian identifiers: valid ones come back compact, invalid ones raise a clear message."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accordo.clients import validators as v


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _message(cleaner, value) -> str:
    with pytest.raises(ValidationError) as info:
        cleaner(value)
    assert info.value.code == "invalid"
    return " ".join(info.value.messages)


@pytest.mark.parametrize("value", ["12345678", "1234 5678", "1234.5678"])
def test_it_accepts_a_kvk_number_of_eight_digits(value):
    assert v.clean_kvk(value) == "12345678"


@pytest.mark.parametrize("value", ["1234567", "123456789", "1234567a", "", "KVK12345678"])
def test_it_refuses_a_kvk_number_that_is_not_eight_digits(value):
    assert "8 digits" in _message(v.clean_kvk, value)


@pytest.mark.parametrize("value", ["111222333", "111.222.333", "111 222 333"])
def test_it_accepts_a_bsn_that_passes_the_eleven_test(value):
    assert v.clean_bsn(value) == "111222333"


@pytest.mark.parametrize("value", ["111222334", "12345678", "1112223333", "abcdefghi", "000000000"])
def test_it_refuses_a_bsn_that_fails_the_eleven_test(value):
    assert "valid BSN" in _message(v.clean_bsn, value)


def test_it_accepts_a_valid_rsin():
    assert v.clean_rsin("004495445") == "004495445"


@pytest.mark.parametrize("value", ["002495565", "12345678", "abc"])
def test_it_refuses_an_invalid_rsin_with_its_own_message(value):
    message = _message(v.clean_rsin, value)
    assert "valid RSIN" in message
    assert "BSN" not in message


@pytest.mark.parametrize("value", ["NL004495445B01", "nl004495445b01", "NL 0044.95445.B01", "NL-004495445-B01"])
def test_it_accepts_a_dutch_vat_number_and_keeps_the_prefix(value):
    assert v.clean_vat(value) == "NL004495445B01"


@pytest.mark.parametrize("value", ["BE0403019261", "be 0403.019.261"])
def test_it_accepts_a_belgian_vat_number_and_keeps_the_prefix(value):
    assert v.clean_vat(value) == "BE0403019261"


@pytest.mark.parametrize("value", ["NL004495446B01", "NL123456789B01", "NL004495445"])
def test_it_refuses_an_invalid_dutch_vat_number(value):
    assert "Dutch VAT number" in _message(v.clean_vat, value)


@pytest.mark.parametrize("value", ["BE0403019262", "BE123"])
def test_it_refuses_an_invalid_belgian_vat_number(value):
    assert "Belgian VAT number" in _message(v.clean_vat, value)


@pytest.mark.parametrize("value", ["DE123456789", "004495445B01", ""])
def test_it_refuses_a_vat_number_of_another_country(value):
    assert "NL or BE" in _message(v.clean_vat, value)


@pytest.mark.parametrize("value", ["0403019261", "0403.019.261", "BE0403019261"])
def test_it_accepts_a_kbo_number_in_compact_form(value):
    assert v.clean_kbo(value) == "0403019261"


@pytest.mark.parametrize("value", ["0403019262", "12345", "abcdefghij"])
def test_it_refuses_an_invalid_kbo_number(value):
    assert "enterprise number" in _message(v.clean_kbo, value)


@pytest.mark.parametrize("value", ["NL91ABNA0417164300", "nl91 abna 0417 1643 00"])
def test_it_accepts_a_valid_iban_in_compact_form(value):
    assert v.clean_iban(value) == "NL91ABNA0417164300"


@pytest.mark.parametrize("value", ["NL91ABNA0417164301", "NL91ABNA041716430", "XX00", "not an iban"])
def test_it_refuses_an_invalid_iban(value):
    assert "valid IBAN" in _message(v.clean_iban, value)


@pytest.mark.parametrize("value", ["3511ab", "3511AB", "3511 AB", "3511 ab"])
def test_it_normalises_a_dutch_postcode(value):
    assert v.clean_nl_postcode(value) == "3511 AB"


@pytest.mark.parametrize("value", ["0123 AB", "3511", "3511 SA", "35111AB", "ABCD 12"])
def test_it_refuses_an_invalid_dutch_postcode(value):
    assert "Dutch postcode" in _message(v.clean_nl_postcode, value)
