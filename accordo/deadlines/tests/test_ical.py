import datetime

from accordo.deadlines.ical import AllDayEvent, calendar_document, escape_text, fold

STAMP = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)


def test_it_escapes_text_values():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_it_leaves_short_lines_alone():
    assert fold("SUMMARY:kort") == "SUMMARY:kort"


def test_it_folds_long_lines_at_75_octets():
    line = "DESCRIPTION:" + "x" * 200
    parts = fold(line).split("\r\n")
    assert [len(p.encode()) for p in parts] == [75, 75, 1 + 212 - 75 - 74]
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_it_never_folds_inside_a_character():
    line = "SUMMARY:" + "é€" * 40
    parts = fold(line).split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    for part in parts:
        part.encode().decode("utf-8")  # each line is valid UTF-8 on its own
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_it_writes_all_day_events_with_crlf():
    body = calendar_document(
        name="Termijnen, Kantoor",
        events=[AllDayEvent(uid="abc@host", day=datetime.date(2026, 12, 31), summary="Btw; Q4", description="x")],
        stamp=STAMP,
    )
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    lines = body.split("\r\n")
    assert "X-WR-CALNAME:Termijnen\\, Kantoor" in lines
    assert "DTSTART;VALUE=DATE:20261231" in lines and "DTEND;VALUE=DATE:20270101" in lines
    assert "DTSTAMP:20260301T123000Z" in lines and "SUMMARY:Btw\\; Q4" in lines and "UID:abc@host" in lines
