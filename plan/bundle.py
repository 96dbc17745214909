"""A saved plan: the scenario, its data and its what-ifs in one zip file.

A scenario file alone does not move a plan: an uploaded history lives in the
session that loaded it, and the scenario only names it (``history.csv``).
:func:`save_bundle` writes everything a plan needs into one zip, and
:func:`open_bundle` reads it back, checked, into a :class:`Bundle` that gives
the same forecast and the same plan as before it was saved.

The zip holds, flat (no folders):

``scenario.toml``
    The scenario as ``ccwfm`` reads it; every queue planned on an interval
    history names ``history.csv`` (the file next to it in the zip).
``history.csv``
    The interval history (``queue``, ``start``, ``volume`` in contacts per
    interval, ``aht`` in seconds, ``abandoned`` in contacts), only when a
    queue needs it.  ``ccwfm plan scenario.toml`` on the unzipped folder
    reads the same data.
``whatifs.json``
    The saved what-ifs, in order: ``{"whatifs": [{"name": ..., "overrides":
    {dotted key: value}}]}``.
``manifest.json``
    ``format`` (``"ccwfm-plan"``), ``format_version``, the ``ccwfm``
    version that wrote it, the history's interval (minutes), and every other
    file with its size (bytes) and SHA-256.

The same inputs give the same bytes (fixed timestamps in the zip, sorted
keys).  Opening reads the zip in memory, never extracts a file to disk,
refuses a name with a folder or ``..``, a file larger than
:data:`plan.MAX_UPLOAD_MB` unpacked, and a checksum that does not match.
"""

import dataclasses
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

from ccwfm import __version__
from ccwfm import forecast as fc_lib
from ccwfm._validation import error

from .inputs import HISTORY_FILE, MAX_UPLOAD_MB, _file_bytes, history_frame
from .report import zip_bytes
from .scenario import Scenario, ScenarioError

__all__ = ["BUNDLE_FORMAT", "BUNDLE_VERSION", "Bundle", "open_bundle", "save_bundle"]

BUNDLE_FORMAT = "ccwfm-plan"
BUNDLE_VERSION = 1
SCENARIO_FILE = "scenario.toml"
WHATIFS_FILE = "whatifs.json"
MANIFEST_FILE = "manifest.json"
_KNOWN = (SCENARIO_FILE, HISTORY_FILE, WHATIFS_FILE, MANIFEST_FILE)


@dataclasses.dataclass(frozen=True)
class Bundle:
    """A saved plan, opened and checked.

    Attributes
    ----------
    scenario : plan.Scenario
        Its queues on uploaded data name ``plan.HISTORY_FILE``.
    sources : dict
        ``{plan.HISTORY_FILE: forecast.History}`` when a queue plans on the
        history (pass it to :func:`plan.load_histories` or the dashboard as
        the upload), else empty.
    whatifs : dict
        What-if name -> dotted overrides of the scenario, in the saved order.
    name : str
        The scenario's name.
    """

    scenario: Scenario
    sources: dict
    whatifs: dict
    name: str


# ------------------------------------------------------------------ saving


def _json_value(x):
    if isinstance(x, (dt.date, dt.datetime, dt.time)):
        return x.isoformat()
    if isinstance(x, tuple):
        return list(x)
    if hasattr(x, "item"):                 # numpy scalars
        return x.item()
    raise TypeError(f"not a JSON value: {type(x).__name__}")


def _check_whatifs(scenario, whatifs, where="whatifs"):
    """The what-ifs as an ordered dict of name -> overrides, each checked on ``scenario``."""
    if whatifs is None:
        return {}
    if not isinstance(whatifs, dict):
        raise error(where, "must be a dict of what-if name -> dotted overrides", whatifs)
    out = {}
    for name, over in whatifs.items():
        if not isinstance(name, str) or not name.strip():
            raise error(f"{where}", "names must be non-empty text", name)
        if not isinstance(over, dict):
            raise error(f"{where}[{name}]", "must be a dict of dotted keys and values", over)
        try:
            if over:
                scenario.with_overrides(over, where=f"{where}[{name}]")
        except ScenarioError as exc:
            raise ValueError(f"{exc} (the what-if is not a valid change of the scenario)") \
                from None
        out[name] = dict(over)
    return out


def _history_of(scenario, sources, base_dir):
    """The one interval history the scenario's queues plan on, or None (demo data only)."""
    names = {q.history for q in scenario.queues if q.history}
    for q in scenario.queues:
        for key in ("acd", "forecast"):
            if getattr(q, key):
                raise ValueError(f"'queues[{q.name}].{key}' cannot be saved in a plan file: a "
                                 "saved plan carries the demo data or one interval history "
                                 f"(load the file on the Data page): {getattr(q, key)!r}")
    if not names:
        return None
    if len(names) > 1:
        raise ValueError("'queues' must all plan on one interval history to be saved in a plan "
                         f"file: {sorted(names)!r}")
    (name,) = names
    sources = sources or {}
    if name in sources:
        hist = sources[name]
    elif base_dir is not None:
        hist = fc_lib.read_intervals(Path(base_dir) / name)
    else:
        raise ValueError(f"'sources' must hold the history {name!r} the scenario plans on "
                         "(or pass base_dir, the folder it is in)")
    if not isinstance(hist, fc_lib.History):
        raise error(f"sources[{name}]", "must be a forecast.History", type(hist).__name__)
    return hist


def _on_history_file(scenario):
    """``scenario`` with every queue's history named :data:`HISTORY_FILE` (variants kept)."""
    data = scenario.to_dict()
    for q in data["queues"]:
        if q.get("history"):
            q["history"] = HISTORY_FILE
    return Scenario.from_dict(data)


def save_bundle(scenario, *, sources=None, whatifs=None, base_dir=None):
    """A plan file: the scenario, the history it plans on and its what-ifs, as zip bytes.

    Parameters
    ----------
    scenario : plan.Scenario
        Its queues use the demo data or one interval history (the same file
        for every queue); queues on an ACD log or a given forecast file are
        refused (load the log as a history first).
    sources : dict, optional
        File name as the scenario writes it -> :class:`forecast.History`
        already read (the dashboard's ``{plan.HISTORY_FILE: history}``).
    whatifs : dict, optional
        What-if name -> dotted overrides (as ``Scenario.with_overrides``
        takes them), kept in order; each must be a valid change of the
        scenario.
    base_dir : str or Path, optional
        Folder the scenario's history file is read from when it is not in
        ``sources``.

    Returns
    -------
    bytes
        A zip file; the same inputs give the same bytes.

    Raises
    ------
    ValueError
        A queue on an ACD log or a given forecast, queues on different
        files, a missing history, a what-if that is not a valid change.

    Examples
    --------
    >>> from ccwfm import plan
    >>> sc = plan.demo_scenario(weeks=1)
    >>> data = plan.save_bundle(sc, whatifs={"more bots": {"queues.voice.bot.containment": 0.3}})
    >>> b = plan.open_bundle(data)
    >>> b.scenario == sc, list(b.whatifs), b.sources
    (True, ['more bots'], {})
    >>> data == plan.save_bundle(sc, whatifs={"more bots": {"queues.voice.bot.containment": 0.3}})
    True
    """
    if not isinstance(scenario, Scenario):
        raise error("scenario", "must be a plan.Scenario", type(scenario).__name__)
    hist = _history_of(scenario, sources, base_dir)
    if hist is not None:
        scenario = _on_history_file(scenario)
    saved = _check_whatifs(scenario, whatifs)
    files = {SCENARIO_FILE: scenario.to_toml().encode("utf-8")}
    if hist is not None:
        files[HISTORY_FILE] = history_frame(hist).to_csv(
            index=False, date_format="%Y-%m-%d %H:%M:%S", lineterminator="\n").encode("utf-8")
    files[WHATIFS_FILE] = json.dumps(
        {"whatifs": [{"name": n, "overrides": o} for n, o in saved.items()]},
        indent=2, ensure_ascii=False, default=_json_value).encode("utf-8")
    manifest = {"format": BUNDLE_FORMAT, "format_version": BUNDLE_VERSION,
                "ccwfm_version": __version__, "name": scenario.name,
                "interval": None if hist is None else int(hist.interval),
                "files": [{"name": n, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                          for n, b in files.items()]}
    files[MANIFEST_FILE] = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    return zip_bytes(files)


# ------------------------------------------------------------------ opening


def _members(zf, limit):
    """Name -> bytes of every file in the zip, checked before and while it is read."""
    infos = zf.infolist()
    if len(infos) > 16:
        raise error("bundle", "must hold the files of a saved plan (at most 16)", len(infos))
    seen, total = {}, 0
    for info in infos:
        name = info.filename
        if "/" in name or "\\" in name or ".." in name or name.startswith(".") or ":" in name:
            raise error("bundle", "must hold files without folders or '..' (a plan file is "
                                  "flat)", name)
        if name not in _KNOWN:
            raise error("bundle", f"must hold only {', '.join(_KNOWN)}", name)
        if name in seen:
            raise error("bundle", "must hold each file once", name)
        total += info.file_size
        if info.file_size > limit or total > limit:
            raise ValueError(f"'{name}' must be at most {limit / 2 ** 20:g} MB unpacked: "
                             f"{max(info.file_size, total) / 2 ** 20:.1f} MB")
        with zf.open(info) as fh:
            content = fh.read(limit + 1)       # the header's size is not trusted
        if len(content) > limit:
            raise ValueError(f"'{name}' must be at most {limit / 2 ** 20:g} MB unpacked: more")
        seen[name] = content
    return seen


def _manifest(files):
    if MANIFEST_FILE not in files:
        raise ValueError(f"'bundle' must hold {MANIFEST_FILE!r}: it is not a plan saved by "
                         "ccwfm (Save the plan)")
    try:
        m = json.loads(files[MANIFEST_FILE].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"'{MANIFEST_FILE}' is not valid JSON: {exc}") from None
    if not isinstance(m, dict):
        raise error(MANIFEST_FILE, "must be a JSON object", type(m).__name__)
    if m.get("format") != BUNDLE_FORMAT:
        raise error(f"{MANIFEST_FILE}: format", f"must be {BUNDLE_FORMAT!r}", m.get("format"))
    if m.get("format_version") != BUNDLE_VERSION:
        raise error(f"{MANIFEST_FILE}: format_version",
                    f"must be {BUNDLE_VERSION} (this ccwfm {__version__} reads no other; the "
                    f"file was written by ccwfm {m.get('ccwfm_version')!r})",
                    m.get("format_version"))
    listed = m.get("files")
    if not isinstance(listed, list) or not all(isinstance(f, dict) for f in listed):
        raise error(f"{MANIFEST_FILE}: files", "must list the files with their sha256", listed)
    names = [f.get("name") for f in listed]
    for f in listed:
        name = f.get("name")
        if name not in files:
            raise error(f"{MANIFEST_FILE}: files", "names a file the zip does not hold", name)
        if hashlib.sha256(files[name]).hexdigest() != f.get("sha256"):
            raise error(f"{name}", "must match its sha256 in the manifest (the file was changed "
                                   "or damaged)", f.get("sha256"))
    for name in files:
        if name != MANIFEST_FILE and name not in names:
            raise error(f"{MANIFEST_FILE}: files", "must list every file of the zip", name)
    interval = m.get("interval")
    if interval is not None and interval not in fc_lib.history.INTERVALS:
        raise error(f"{MANIFEST_FILE}: interval", "must be 5, 15, 30 or 60 minutes", interval)
    return m


def _text(files, name):
    if name not in files:
        raise ValueError(f"'bundle' must hold {name!r}: the saved plan is incomplete")
    try:
        return files[name].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"'{name}' must be UTF-8 text: {exc}") from None


def _whatifs(files, scenario):
    try:
        data = json.loads(_text(files, WHATIFS_FILE))
    except json.JSONDecodeError as exc:
        raise ValueError(f"'{WHATIFS_FILE}' is not valid JSON: {exc}") from None
    items = data.get("whatifs") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise error(f"{WHATIFS_FILE}: whatifs", "must be a list of {name, overrides}", items)
    out = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"name", "overrides"}:
            raise error(f"{WHATIFS_FILE}: whatifs[{i}]", "must have exactly 'name' and "
                                                         "'overrides'", item)
        if item["name"] in out:
            raise error(f"{WHATIFS_FILE}: whatifs[{i}].name", "must be unique", item["name"])
        out[item["name"]] = item["overrides"]
    try:
        return _check_whatifs(scenario, out, where="whatifs")
    except ValueError as exc:
        raise ValueError(f"'{WHATIFS_FILE}': {exc}") from None


def open_bundle(data):
    """Read a plan file saved by :func:`save_bundle`, checking every part.

    Parameters
    ----------
    data : bytes or binary file object
        The zip's content (at most :data:`plan.MAX_UPLOAD_MB` MB packed and
        unpacked).  Nothing is written to disk.

    Returns
    -------
    Bundle

    Raises
    ------
    ValueError
        Naming the file and the field: not a zip, a file missing, a name
        with a folder or ``..``, too large, a checksum that does not match,
        an unknown format version, a scenario that is not valid TOML or not
        a valid scenario, a queue on a file the plan does not carry, a
        history that does not read, a what-if that is not a valid change.
    """
    content = _file_bytes(data, MAX_UPLOAD_MB)
    limit = int(MAX_UPLOAD_MB * 2 ** 20)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            files = _members(zf, limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise ValueError(f"'bundle' must be a zip file saved by ccwfm (Save the plan): {exc}") \
            from None
    except RuntimeError as exc:            # encrypted
        raise ValueError(f"'bundle' must be a plain zip file: {exc}") from None
    manifest = _manifest(files)
    try:
        scenario = Scenario.from_toml(_text(files, SCENARIO_FILE))
    except ScenarioError as exc:
        raise ValueError(f"'{SCENARIO_FILE}': {exc}") from None
    sources = {}
    for q in scenario.queues:
        for key in ("acd", "forecast"):
            if getattr(q, key):
                raise ValueError(f"'{SCENARIO_FILE}': 'queues[{q.name}].{key}' names a file a "
                                 f"saved plan does not carry: {getattr(q, key)!r}")
        if q.history and q.history != HISTORY_FILE:
            raise ValueError(f"'{SCENARIO_FILE}': 'queues[{q.name}].history' must be "
                             f"{HISTORY_FILE!r} (the file in the saved plan): {q.history!r}")
        if q.history and not sources:
            if HISTORY_FILE not in files:
                raise ValueError(f"'bundle' must hold {HISTORY_FILE!r}: queue {q.name!r} plans "
                                 "on it")
            try:
                sources[HISTORY_FILE] = fc_lib.read_intervals(
                    files[HISTORY_FILE], interval=manifest.get("interval"))
            except ValueError as exc:
                raise ValueError(f"'{HISTORY_FILE}': {exc}") from None
    whatifs = _whatifs(files, scenario)
    return Bundle(scenario=scenario, sources=sources, whatifs=whatifs, name=scenario.name)
