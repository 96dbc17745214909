"""Write a plan out: CSV and Excel tables, PNG charts and a one-page HTML summary.

Every file is written to a temporary file next to its destination and then
renamed, so an error never leaves a half-written file.  Text cells that
start with ``=``, ``+``, ``-`` or ``@`` are escaped in CSV and Excel output
against formula injection (a queue named ``=cmd()`` stays text).
"""

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._atomic import write_atomic

__all__ = ["TABLES", "csv_bytes", "excel_bytes", "safe_text", "tables", "write", "write_excel"]

TABLES = ("summary", "costs", "forecast", "models", "requirements", "verification", "coverage",
          "shifts", "achieved", "capacity", "hires")
_DANGER = ("=", "+", "-", "@")


def safe_text(frame):
    """A copy whose text cells starting with = + - @ are prefixed with a quote."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str)
                                    and v.startswith(_DANGER) else v)
    return out


def tables(result):
    """The plan's tables by name (empty ones left out)."""
    hires = pd.DataFrame([{"start": h.start, "size": h.size, "training_weeks": h.training_weeks,
                           "ramp": ",".join(f"{r:g}" for r in h.ramp),
                           "cost_per_hire": h.cost_per_hire} for h in result.hires])
    out = {name: getattr(result, name) for name in TABLES if name not in ("hires", "costs")}
    out["costs"] = result.costs.to_frame() if result.costs is not None else pd.DataFrame()
    out["hires"] = hires
    out = {name: out[name] for name in TABLES}
    return {k: v for k, v in out.items() if isinstance(v, pd.DataFrame) and not v.empty}


def write(result, folder):
    """Write every table, chart and the summary page into ``folder``.

    Returns the list of files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    frames = tables(result)
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        write_atomic(path, lambda tmp, f=frame: safe_text(f).to_csv(tmp, index=False))
        written.append(path)

    path = folder / "plan.xlsx"
    write_atomic(path, lambda tmp: write_excel(frames, tmp))
    written.append(path)
    charts = {}
    for name, draw in (("forecast", _chart_forecast), ("heatmap", _chart_heatmap),
                       ("kpis", _chart_kpis), ("capacity", _chart_capacity)):
        fig = draw(result)
        if fig is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        data = buf.getvalue()
        path = folder / f"{name}.png"
        write_atomic(path, lambda tmp, d=data: Path(tmp).write_bytes(d))
        charts[name] = data
        written.append(path)
    page = _html(result, charts)
    path = folder / "summary.html"
    write_atomic(path, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    written.append(path)
    return written


def write_excel(frames, path):
    """One sheet per table, written cell by cell with xlsxwriter (fast on long tables).

    Text is escaped as in :func:`safe_text`; dates get a date format; NaN
    and infinite numbers are left blank.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(path if isinstance(path, io.BytesIO) else str(path))
    try:
        fmt_time = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        bold = wb.add_format({"bold": True})
        for name, frame in frames.items():
            ws = wb.add_worksheet(name[:31])
            frame = safe_text(frame)
            ws.write_row(0, 0, [str(c) for c in frame.columns], bold)
            for j, col in enumerate(frame.columns):
                values = frame[col]
                if pd.api.types.is_datetime64_any_dtype(values):
                    ws.set_column(j, j, 17)
                    for i, v in enumerate(values):
                        if not pd.isna(v):
                            ws.write_datetime(i + 1, j, v.to_pydatetime(), fmt_time)
                elif pd.api.types.is_bool_dtype(values):
                    for i, v in enumerate(values):
                        ws.write_boolean(i + 1, j, bool(v))
                elif pd.api.types.is_numeric_dtype(values):
                    arr = values.to_numpy(dtype=float)
                    for i in np.flatnonzero(np.isfinite(arr)):
                        ws.write_number(int(i) + 1, j, float(arr[i]))
                else:
                    for i, v in enumerate(values):
                        if v is None or (isinstance(v, float) and np.isnan(v)):
                            continue
                        if hasattr(v, "isoformat") and not isinstance(v, str):
                            v = v.isoformat()
                        ws.write_string(i + 1, j, str(v))
    finally:
        wb.close()


def excel_bytes(frames):
    """An Excel workbook of ``frames`` (name -> DataFrame) as bytes, as :func:`write_excel`.

    Examples
    --------
    >>> import pandas as pd
    >>> data = excel_bytes({"t": pd.DataFrame({"queue": ["=cmd()"], "agents": [3]})})
    >>> pd.read_excel(io.BytesIO(data))["queue"].tolist()
    ["'=cmd()"]
    """
    buf = io.BytesIO()
    write_excel(frames, buf)
    return buf.getvalue()


def csv_bytes(frame):
    """A table as UTF-8 CSV bytes, text cells escaped as in :func:`safe_text`."""
    return safe_text(frame).to_csv(index=False).encode("utf-8")


# ------------------------------------------------------------------- charts


def _subplots(nrows=1, ncols=1, *, figsize, squeeze=True):
    """A figure and its axes without pyplot: no global backend, no figure manager."""
    fig = Figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=squeeze)
    return fig, axes



def _chart_forecast(result):
    fc = result.forecast
    if fc.empty:
        return None
    queues = list(fc["queue"].unique())
    fig, axes = _subplots(len(queues), 1, figsize=(11, 2.6 * len(queues)), squeeze=False)
    for ax, q in zip(axes[:, 0], queues):
        f = fc[fc["queue"] == q].head(7 * 24 * 60 // max(result.scenario.workforce.interval, 1))
        x = np.arange(len(f))
        if "lo_95" in f.columns:
            ax.fill_between(x, f["lo_95"], f["hi_95"], color="tab:blue", alpha=0.15,
                            label="95% interval")
            ax.fill_between(x, f["lo_80"], f["hi_80"], color="tab:blue", alpha=0.3,
                            label="80% interval")
        ax.plot(x, f["forecast"], color="tab:blue", lw=1.2, label="forecast")
        ticks = np.flatnonzero(f["start"].dt.hour.diff().fillna(1).ne(0)
                               & (f["start"].dt.hour % 6 == 0))
        ax.set_xticks(ticks)
        ax.set_xticklabels(f["start"].iloc[ticks].dt.strftime("%a %H:%M"), fontsize=7)
        ax.set_title(f"{q}: contacts per interval, first week (open intervals)", fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def _chart_heatmap(result):
    cov = result.coverage
    if cov.empty:
        return None
    groups = list(cov["group"].unique())
    fig, axes = _subplots(len(groups), 2, figsize=(12, 2.8 * len(groups)), squeeze=False)
    for (ax1, ax2), g in zip(axes, groups):
        c = cov[cov["group"] == g]
        day = c["start"].dt.day_of_week
        slot = c["start"].dt.hour * 60 + c["start"].dt.minute
        req = c.pivot_table(index=day, columns=slot, values="required", aggfunc="mean")
        diff = c.assign(d=c["scheduled"] - c["required"]).pivot_table(
            index=day, columns=slot, values="d", aggfunc="mean")
        im = ax1.imshow(req.to_numpy(), aspect="auto", cmap="viridis")
        fig.colorbar(im, ax=ax1, fraction=0.03)
        lim = max(1.0, float(np.nanmax(np.abs(diff.to_numpy()))))
        im2 = ax2.imshow(diff.to_numpy(), aspect="auto", cmap="RdBu", vmin=-lim, vmax=lim)
        fig.colorbar(im2, ax=ax2, fraction=0.03)
        for ax, title in ((ax1, "required agents on shift"), (ax2, "scheduled - required")):
            ax.set_yticks(range(len(req.index)))
            ax.set_yticklabels(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i]
                               for i in req.index)
            cols = list(req.columns)
            step = max(1, len(cols) // 8)
            ax.set_xticks(range(0, len(cols), step))
            ax.set_xticklabels([f"{m // 60:02d}:{m % 60:02d}" for m in cols[::step]], fontsize=7)
            ax.set_title(f"{g}: {title} (weekday x interval)", fontsize=9)
    fig.tight_layout()
    return fig


def _chart_kpis(result):
    a = result.achieved
    if a.empty:
        return None
    queues = list(a["queue"].unique())
    fig, axes = _subplots(len(queues), 1, figsize=(11, 2.4 * len(queues)), squeeze=False)
    for ax, q in zip(axes[:, 0], queues):
        s = a[a["queue"] == q]
        t = s.groupby(s["start"].dt.hour * 60 + s["start"].dt.minute)
        ax.plot(t["service_level"].mean().index / 60, t["service_level"].mean(),
                label="formula", lw=1.2)
        if "service_level_sim" in s.columns:
            ax.plot(t["service_level_sim"].mean().index / 60, t["service_level_sim"].mean(),
                    label="simulation", lw=1.2)
        target = next(x.target.service_level for x in result.scenario.queues if x.name == q)
        if target is not None:
            ax.axhline(target, color="grey", ls="--", lw=0.8, label="target")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("hour of day", fontsize=8)
        ax.set_title(f"{q}: service level by time of day with the schedule", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _chart_capacity(result):
    c = result.capacity
    if c.empty:
        return None
    fig, ax = _subplots(figsize=(9, 3.2))
    ax.plot(c["week"], c["required_fte"], marker="o", label="required FTE")
    ax.plot(c["week"], c["productive_fte"], marker="s", label="productive FTE")
    ax.plot(c["week"], c["headcount_end"], ls=":", label="headcount")
    ax.set_title("Weekly capacity", fontsize=9)
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------- page


def _html(result, charts):
    sc = result.scenario
    summary = result.summary
    costs = result.costs
    esc = html.escape
    head = [f"<h1>{esc(sc.name)}: staffing plan</h1>",
            f"<p>{esc(str(sc.start))} to {esc(str(sc.end))} ({sc.weeks} weeks), "
            f"{sc.workforce.interval}-minute intervals, shrinkage "
            f"{sc.workforce.total_shrinkage:.0%}.</p>"]
    if costs is not None:
        head.append(f"<p><b>Total cost {costs.total:,.0f} {esc(costs.currency)}</b>"
                    + (f"; peak {result.capacity['required_fte'].max():,.1f} FTE"
                       if not result.capacity.empty else "") + "</p>")
    body = ["<h2>Queues</h2>", _table_html(summary), "<h2>Cost</h2>",
            _table_html(costs.to_frame() if costs is not None else None)]
    if result.hires:
        body += ["<h2>Hiring classes proposed</h2>", _table_html(tables(result)["hires"])]
    body += ["<h2>What the pipeline did</h2><ul>"]
    body += [f"<li>{esc(line)}</li>" for line in result.log] + ["</ul>"]
    for name, data in charts.items():
        b64 = base64.b64encode(data).decode("ascii")
        body.append(f'<h2>{esc(name.capitalize())}</h2><img alt="{esc(name)}" '
                    f'src="data:image/png;base64,{b64}" style="max-width:100%">')
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
             "padding:3px 6px;text-align:right}th{background:#eee}")
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{esc(sc.name)}</title><style>{style}</style></head><body>"
            + "".join(head + body) + "</body></html>")


def _table_html(frame):
    if frame is None or frame.empty:
        return "<p>(none)</p>"
    fmt = frame.copy()
    for col in fmt.columns:
        if pd.api.types.is_float_dtype(fmt[col]):
            fmt[col] = fmt[col].map(lambda v: "" if pd.isna(v) else f"{v:,.3f}" if abs(v) < 1
                                    else f"{v:,.1f}")
    return fmt.to_html(index=False, escape=True)
