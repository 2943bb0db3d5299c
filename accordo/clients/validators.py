"""Validation of Dutch and Belgian identifiers (python-stdnum), returning the compact form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.be import vat as be_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as nl_bsn
from stdnum.nl import btw as nl_btw
from stdnum.nl import postcode as nl_postcode


def _stdnum(check: Callable[[str], str], message: Any) -> Callable[[str], str]:
    def validate(value: str) -> str:
        try:
            return check(value)
        except StdnumError:
            raise ValidationError(message, code="invalid") from None

    return validate


def clean_kvk(value: str) -> str:
    compact = re.sub(r"[\s.]", "", value)
    if not re.fullmatch(r"\d{8}", compact):
        raise ValidationError(_("A KvK number has exactly 8 digits."), code="invalid")
    return compact


def clean_bsn(value: str) -> str:
    return _stdnum(nl_bsn.validate, _("This is not a valid BSN (9 digits that pass the eleven test)."))(value)


def clean_rsin(value: str) -> str:
    return _stdnum(nl_bsn.validate, _("This is not a valid RSIN (9 digits that pass the eleven test)."))(value)


def clean_vat(value: str) -> str:
    """A Dutch (NL#########B##) or Belgian (BE0#########) VAT number, stored with its prefix."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    if compact.startswith("NL"):
        return "NL" + _stdnum(nl_btw.validate, _("This is not a valid Dutch VAT number (NL123456789B01)."))(compact)
    if compact.startswith("BE"):
        return "BE" + _stdnum(be_vat.validate, _("This is not a valid Belgian VAT number (BE0123456789)."))(compact)
    raise ValidationError(_("Enter a VAT number starting with NL or BE."), code="invalid")


def clean_kbo(value: str) -> str:
    return _stdnum(be_vat.validate, _("This is not a valid Belgian enterprise number (0123.456.789)."))(value)


def clean_iban(value: str) -> str:
    return _stdnum(stdnum_iban.validate, _("This is not a valid IBAN."))(value)


def clean_nl_postcode(value: str) -> str:
    return _stdnum(nl_postcode.validate, _("This is not a valid Dutch postcode (1234 AB)."))(value)
