"""Suggestions from the plain text of a PDF or an OCR'd photo: good guesses, never exact."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from decimal import Decimal

from accordo.deliveries.extraction.data import InvoiceData
from accordo.deliveries.extraction.textparse import Amount, find_amounts, find_dates, find_ibans, find_vat_numbers

MAX_TEXT_CHARS = 200_000
MAX_LINE_CHARS = 400


def _words(*phrases: str) -> re.Pattern[str]:
    """Any of ``phrases`` as whole words (lower case text), longest first."""
    ordered = sorted(phrases, key=len, reverse=True)
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return re.compile(rf"(?<![a-zà-ÿ])(?:{alternatives})(?![a-zà-ÿ])")


_PAYABLE = _words(
    "te betalen", "te voldoen", "openstaand bedrag", "nog te betalen", "à payer", "a payer", "montant dû",
    "solde dû", "amount due", "balance due", "total due", "amount payable", "to pay",
)  # fmt: skip
_GROSS = _words(
    "totaalbedrag", "factuurbedrag", "eindtotaal", "totaal incl", "totaal inclusief", "total incl", "total including",
    "incl. btw", "incl btw",
    "inclusief btw", "ttc", "tvac", "tva comprise", "grand total", "total amount", "montant total", "invoice total",
)  # fmt: skip
_TOTAL = _words("totaal", "total", "totale", "som")
_NET = _words(
    "subtotaal", "sub-totaal", "subtotal", "sub total", "sous-total", "sous total", "excl", "exclusief",
    "zonder btw", "hors tva", "htva", "ht", "netto", "nettobedrag", "exclusive",
    "net amount", "total net", "net total", "before tax",
)  # fmt: skip
_VAT_WORD = _words("btw", "tva", "vat", "omzetbelasting")
_VAT_ID_LABEL = _words(
    "btw-nummer", "btw nummer", "btw-nr", "btw nr", "btw-id", "btw id", "btw no", "n° tva", "no tva",
    "numéro tva", "numéro de tva", "tva n°", "vat number", "vat no", "vat id", "vat reg", "ondernemingsnummer",
    "ondernemingsnr", "numéro d'entreprise", "n° d'entreprise", "kbo", "bce", "omzetbelastingnummer",
)  # fmt: skip
# Lines about the customer's own VAT number or account (direct debit), not the supplier's.
_CUSTOMER_VAT = _words(
    "uw", "klant", "afnemer", "votre", "client", "customer", "buyer", "acheteur", "your", "geadresseerde",
)  # fmt: skip
_CUSTOMER_ACCOUNT = _words(
    "uw rekening", "uw rekeningnummer", "van uw", "votre compte", "your account", "afgeschreven", "geïncasseerd",
    "incasso", "domiciliëring", "domiciliering", "domiciliation", "prélevé", "debited", "direct debit",
)  # fmt: skip
_ISSUE = _words(
    "factuurdatum", "factuur datum", "datum factuur", "creditnotadatum", "notadatum", "date de facture",
    "date de la facture", "date facture", "date d'émission", "date d’émission", "date d'emission",
    "invoice date", "date of invoice", "date of issue", "issue date", "dagtekening", "date d'avoir",
)  # fmt: skip
_ISSUE_WEAK = _words("datum", "date", "le")
_DUE = _words(
    "vervaldatum", "vervaldag", "verval datum", "uiterste betaaldatum", "betaaldatum", "betalen voor",
    "betalen vóór", "uiterlijk", "date d'échéance", "date d’échéance", "date d'echeance", "échéance", "echeance",
    "payer avant", "payable avant", "due date", "payment due", "due by", "due on", "pay before", "payable by",
)  # fmt: skip
_OTHER_DATE = _words(
    "leverdatum", "leveringsdatum", "afleverdatum", "orderdatum", "besteldatum", "date de livraison",
    "date de commande", "delivery date", "order date", "periode", "période", "period", "geboortedatum",
)  # fmt: skip
_TERM = re.compile(
    r"\b(?:binnen|within|dans les|dans un délai de|à|a|betalingstermijn|betaaltermijn|payment terms?|net)"
    r"\s*:?\s*(\d{1,3})\s*(?:dagen|days|jours|d\.)",
    re.I,
)
_PAYMENT_WORD = re.compile(r"betal|paie|paye|pay|netto|\bnet\b|règlement|reglement|échéance", re.I)
_NUMBER_LABEL = _words(
    "factuurnummer", "factuurnr", "factuur nr", "factuur nummer", "factuur no", "factuurno", "creditnotanummer",
    "creditnota nr", "creditnotanr", "notanummer", "invoice number", "invoice no", "invoice nr", "invoice #",
    "invoice n°", "n° de facture", "no de facture", "numéro de facture", "numero de facture", "facture n°",
    "facture no", "facture nº", "n° facture", "numéro d'avoir", "avoir n°", "note de crédit n°", "credit note no",
    "credit note number", "rechnungsnummer",
)  # fmt: skip
_NUMBER_TITLE = _words("factuur", "facture", "invoice", "creditnota", "credit note", "note de crédit")
_NUMBER_VALUE = re.compile(r"\s*\.?\s*(?:[:#]|n[°ºo]\.?|nr\.?|nummer)?\s*:?\s*([A-Z0-9][A-Z0-9\-/._]{0,39})", re.I)
_CREDIT = _words(
    "creditnota", "creditnotanummer", "creditfactuur", "credit nota", "note de crédit", "note de credit", "credit note",
)  # fmt: skip


def _normalise(text: str) -> list[str]:
    """Lines with one kind of space and minus; bounded, as OCR output can be anything."""
    text = text[:MAX_TEXT_CHARS]
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ").replace("\u2212", "-")
    return [line.replace("\t", "  ").strip()[:MAX_LINE_CHARS] for line in text.splitlines()]


def _line_amount(lines: list[str], index: int, after: int) -> Amount | None:
    """The last amount after the label, else the last before it, else the next line's only amount.

    A next line with several amounts is a row of values under several labels; which is which
    cannot be told from plain text, so none is taken.
    """
    amounts = find_amounts(lines[index])
    if amounts:
        later = [a for a in amounts if a.start >= after]
        return (later or amounts)[-1]
    for following in lines[index + 1 : index + 3]:
        if following:
            found = find_amounts(following)
            return found[0] if len(found) == 1 and found[0].start == 0 else None
    return None


def _totals(lines: list[str]) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """Suggested payable, net and VAT totals, from lines labelled with total-like words."""
    payable: list[tuple[int, Decimal]] = []
    net: list[Decimal] = []
    vat_lines: list[tuple[bool, Decimal]] = []
    for index, line in enumerate(lines):
        lower = line.lower()
        if _VAT_ID_LABEL.search(lower):
            continue
        payable_kw, gross_kw, total_kw = _PAYABLE.search(lower), _GROSS.search(lower), _TOTAL.search(lower)
        net_kw, vat_kw = _NET.search(lower), _VAT_WORD.search(lower)
        if payable_kw or gross_kw or (total_kw and not net_kw and not vat_kw):
            label = payable_kw or gross_kw or total_kw
            amount = _line_amount(lines, index, label.start() if label else 0)
            if amount is not None:
                payable.append((3 if payable_kw else 2 if gross_kw else 1, amount.value))
        elif net_kw:
            amount = _line_amount(lines, index, net_kw.start())
            if amount is not None:
                net.append(amount.value)
        elif vat_kw:
            amount = _line_amount(lines, index, vat_kw.start())
            if amount is not None:
                vat_lines.append((total_kw is not None, amount.value))
    best_payable = None
    if payable:
        top = max(weight for weight, _v in payable)
        best_payable = max((v for w, v in payable if w == top), key=abs)
    best_net = max(net, key=abs) if net else None
    return best_payable, best_net, _vat(vat_lines, best_payable, best_net)


def _vat(lines: list[tuple[bool, Decimal]], payable: Decimal | None, net: Decimal | None) -> Decimal | None:
    totals = [value for is_total, value in lines if is_total]
    if totals:
        return totals[-1]
    values = list(dict.fromkeys(value for _t, value in lines))
    if payable is not None and net is not None:
        difference = payable - net
        if difference in values or (len(values) > 1 and sum(values) == difference):
            return difference
        return None
    return values[0] if len(values) == 1 else None


def _date_labels(lower: str) -> list[tuple[int, str]]:
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in (("due", _DUE), ("issue", _ISSUE), ("other", _OTHER_DATE), ("weak", _ISSUE_WEAK)):
        spans += [(m.start(), m.end(), kind) for m in pattern.finditer(lower)]
    # A label inside a longer one does not count: "date d'échéance" is not also "date".
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda span: (span[0], span[0] - span[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, kind))
    return [(start, kind) for start, _end, kind in kept]


def _dates(lines: list[str]) -> tuple[datetime.date | None, datetime.date | None]:
    by_kind: dict[str, list[datetime.date]] = {"due": [], "issue": [], "weak": [], "other": [], "none": []}
    previous_labels: list[tuple[int, str]] = []
    for line in lines:
        lower = line.lower()
        labels = _date_labels(lower)
        dates = find_dates(line)
        for order, (position, value) in enumerate(dates):
            before = [kind for start, kind in labels if start < position]
            if before:
                kind = before[-1]
            elif not labels and order < len(previous_labels):
                kind = previous_labels[order][1]
            else:
                kind = "none"
            by_kind[kind].append(value)
        if line:
            previous_labels = labels if labels and not dates else []
    issue_dates = by_kind["issue"] or by_kind["weak"] or by_kind["none"]
    issue = issue_dates[0] if issue_dates else None
    due = by_kind["due"][0] if by_kind["due"] else None
    if due is None and issue is not None:
        term = next((m for line in lines if (m := _TERM.search(line)) and _PAYMENT_WORD.search(line)), None)
        if term is not None and 0 < int(term[1]) <= 365:
            due = issue + datetime.timedelta(days=int(term[1]))
    return issue, due


def _invoice_number(lines: list[str]) -> str | None:
    """After a label on its line; else under it (the next line, or the same column of a header row)."""
    for pattern in (_NUMBER_LABEL, _NUMBER_TITLE):
        for index, line in enumerate(lines):
            label = pattern.search(line.lower())
            if label is None:
                continue
            value = _number_token(line[label.end() :])
            if value is None and pattern is _NUMBER_LABEL:
                value = _number_below(line, label, lines[index + 1 : index + 2])
            if value and (pattern is _NUMBER_LABEL or len(value) >= 3):
                return value
    return None


def _number_below(line: str, label: re.Match[str], following: list[str]) -> str | None:
    if not following:
        return None
    header, values = line.split(), following[0].split()
    if len(header) == len(values):
        return _number_token(values[len(line[: label.start()].split())])
    alone = not re.search(r"[^\W_]", line[: label.start()] + line[label.end() :])
    return _number_token(following[0]) if alone else None


def _number_token(text: str) -> str | None:
    match = _NUMBER_VALUE.match(text)
    if match is None:
        return None
    token = match[1].rstrip(".,;:-/")
    if not re.search(r"\d", token) or find_dates(token) or find_amounts(token):
        return None
    return token


def _iban(lines: list[str]) -> str | None:
    for line in lines:
        found = find_ibans(line)
        if found and not _CUSTOMER_ACCOUNT.search(line.lower()):
            return found[0][2]
    return None


def _supplier_vat(lines: list[str]) -> str | None:
    for line in lines:
        lower = line.lower()
        if _CUSTOMER_VAT.search(lower):
            continue
        labelled = _VAT_ID_LABEL.search(lower) is not None or _VAT_WORD.search(lower) is not None
        found = find_vat_numbers(line, labelled=labelled)
        if found:
            return found[0][1]
    return None


def _currency(lines: list[str]) -> str | None:
    counts = Counter(a.currency for line in lines for a in find_amounts(line) if a.currency)
    return counts.most_common(1)[0][0] if counts else None


def suggest_from_text(text: str) -> InvoiceData:
    """Suggestions for the invoice fields found in ``text`` (from a PDF's text layer or OCR).

    Dutch, French and English wording and Dutch/Belgian number formats are understood. Fields
    that cannot be found are None; the supplier's name is never guessed. IBANs and VAT numbers
    are only suggested when their check digits are valid. A payable total that is missing but
    whose net and VAT parts are found is their sum.
    """
    lines = _normalise(text)
    payable, net, vat = _totals(lines)
    if payable is None and net is not None and vat is not None:
        payable = net + vat
    if net is None and payable is not None and vat is not None:
        net = payable - vat
    issue, due = _dates(lines)
    # A title or label says so; a sentence ("bij retour volgt een creditnota") does not.
    is_credit = any(_CREDIT.search(line.lower()) and len(line) <= 40 for line in lines)
    is_credit = is_credit or (payable is not None and payable < 0)
    return InvoiceData(
        supplier_name=None,
        supplier_vat=_supplier_vat(lines),
        iban=_iban(lines),
        invoice_number=_invoice_number(lines),
        issue_date=issue,
        due_date=due,
        currency=_currency(lines),
        net_total=net,
        vat_total=vat,
        payable_total=payable,
        is_credit_note=is_credit,
        source="text",
    )
