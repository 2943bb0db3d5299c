"""A minimal iCalendar (RFC 5545) writer for all-day events: escaping, folding, CRLF.

https://www.rfc-editor.org/rfc/rfc5545 §3.1 (content lines: folded at 75 octets, CRLF), §3.3.11
(TEXT: backslash, semicolon, comma and newline escaped), §3.6.1 (VEVENT), §3.8.4.7 (UID).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

CRLF = "\r\n"
LINE_OCTETS = 75


@dataclass(frozen=True, slots=True)
class AllDayEvent:
    uid: str
    day: datetime.date
    summary: str
    description: str = ""


def escape_text(value: str) -> str:
    """A TEXT value: ``\\`` ``;`` ``,`` escaped, every line break as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def calendar_document(
    *, name: str, events: Iterable[AllDayEvent], stamp: datetime.datetime, product: str = "-//Accordo//Deadlines//EN"
) -> str:
    """The whole VCALENDAR, every line folded and ended by CRLF."""
    utc = stamp.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            *([f"DESCRIPTION:{escape_text(event.description)}"] if event.description else []),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
