"""The report's plots as matplotlib figures, and each as inline SVG (no network needed to view it).

Every drawn mark (bar segment, matrix cell) carries the id `<plot>-mark-<n>`, so a browser test can
find and measure what was drawn. Figures are made without pyplot: no global state, no GUI backend.
"""

from __future__ import annotations

import io
from collections import Counter

from ..document import QUOTE_TYPES, STANCES
from .data import NO_STANCE, Summary

COLOURS = {"escalation": "#c0392b", "diplomacy": "#2471a3", "neutral": "#95a5a6", NO_STANCE: "#d5d8dc"}
TYPE_COLOUR = "#5b6770"
_RC = {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}


def _figure(height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(7.2, height), layout="constrained")


def _label(text: str, n: int = 38) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _marks(patches, plot: str, start: int) -> int:
    for i, p in enumerate(patches, start):
        p.set_gid(f"{plot}-mark-{i}")
    return start + len(patches)


def _stance_keys(counters) -> list[str]:
    seen = set().union(*(c.keys() for c in counters)) if counters else set()
    return [s for s in (*STANCES, NO_STANCE) if s in seen]


def speakers(summary: Summary, top: int = 15):
    rows = summary.top_speakers(top)
    if not rows:
        return None
    fig = _figure(1.0 + 0.26 * len(rows))
    ax = fig.add_subplot()
    names = [_label(n) for n, _, _ in rows][::-1]
    counts = [c for _, c, _ in rows][::-1]
    bars = ax.barh(names, counts, color="#34495e")
    _marks([b for b, c in zip(bars, counts) if c > 0], "speakers", 0)
    ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xlabel("quotes")
    _integer_axis(ax.xaxis)
    ax.set_title(f"Quotes per speaker (top {len(rows)} of {len(summary.speakers)})", loc="left")
    return fig


def _stacked(ax, labels: list[str], counters: list[Counter], plot: str, horizontal: bool) -> None:
    base = [0] * len(labels)
    n = 0
    for stance in _stance_keys(counters):
        values = [c.get(stance, 0) for c in counters]
        draw = ax.barh if horizontal else ax.bar
        kw = {"left": base} if horizontal else {"bottom": base}
        bars = draw(labels, values, color=COLOURS[stance], label=stance, **kw)
        n = _marks([b for b, v in zip(bars, values) if v > 0], plot, n)
        base = [b + v for b, v in zip(base, values)]
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def speaker_stances(summary: Summary, top: int = 15):
    rows = summary.top_speakers(top)
    if not rows:
        return None
    fig = _figure(1.3 + 0.26 * len(rows))
    ax = fig.add_subplot()
    _stacked(ax, [_label(n) for n, _, _ in rows][::-1], [s for _, _, s in rows][::-1], "speaker-stances", True)
    ax.set_xlabel("quotes")
    _integer_axis(ax.xaxis)
    ax.set_title("Stance per speaker", loc="left")
    return fig


def timeline(summary: Summary):
    unit, periods = summary.timeline()
    if not periods:
        return None
    fig = _figure(3.2)
    ax = fig.add_subplot()
    labels = [p for p, _ in periods]
    _stacked(ax, labels, [c for _, c in periods], "timeline", False)
    step = -(-len(labels) // 14)  # at most 14 date labels
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(f"quotes per {unit}")
    _integer_axis(ax.yaxis)
    ax.set_title(f"Stance over time ({summary.dated_documents} dated documents)", loc="left")
    return fig


def cues(summary: Summary, top: int = 15):
    rows = sorted(summary.cues.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    if not rows:
        return None
    fig = _figure(1.0 + 0.26 * len(rows))
    ax = fig.add_subplot()
    bars = ax.barh([_label(k) for k, _ in rows][::-1], [c for _, c in rows][::-1], color="#7d6608")
    _marks(list(bars), "cues", 0)
    ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xlabel("quotes")
    _integer_axis(ax.xaxis)
    ax.set_title(f"Most frequent cues (top {len(rows)} of {len(summary.cues)})", loc="left")
    return fig


def types(summary: Summary):
    if not summary.quotes:
        return None
    names = [t for t in QUOTE_TYPES if summary.types.get(t)] + sorted(set(summary.types) - set(QUOTE_TYPES))
    fig = _figure(1.1 + 0.3 * len(names))
    ax = fig.add_subplot()
    values = [summary.types[t] for t in names][::-1]
    bars = ax.barh(names[::-1], values, color=TYPE_COLOUR)
    _marks(list(bars), "types", 0)
    ax.bar_label(bars, labels=[f"{v} ({v / summary.quotes:.0%})" for v in values], padding=2, fontsize=8)
    ax.set_xlabel("quotes")
    _integer_axis(ax.xaxis)
    ax.set_title("Quote types", loc="left")
    return fig


def confusion(matrix: dict):
    """Rows gold, columns predicted, as in quotes.score."""
    from matplotlib.patches import Rectangle

    fig = _figure(3.0)
    ax = fig.add_subplot()
    peak = max((v for row in matrix.values() for v in row.values()), default=0) or 1
    n = 0
    for i, g in enumerate(STANCES):
        for j, p in enumerate(STANCES):
            v = matrix[g][p]
            # (0.92 * v) / peak can round to just above 0.92 at the peak, and matplotlib rejects an alpha over 1
            alpha = min(1.0, 0.08 + 0.92 * v / peak)
            cell = Rectangle((j, i), 1, 1, facecolor=(0.14, 0.44, 0.64, alpha), edgecolor="white")
            cell.set_gid(f"confusion-mark-{n}")
            n += 1
            ax.add_patch(cell)
            ax.text(j + 0.5, i + 0.5, str(v), ha="center", va="center", color="white" if v > peak / 2 else "black")
    ax.set_xlim(0, 3)
    ax.set_ylim(3, 0)
    ax.set_aspect("equal")
    ax.set_xticks([0.5, 1.5, 2.5], STANCES)
    ax.set_yticks([0.5, 1.5, 2.5], STANCES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    ax.set_title("Stance confusion (matched quotes with a gold stance)", loc="left")
    return fig


def to_svg(fig, plot: str) -> str:
    """The figure as an <svg> element to inline; each plot hashes its clip-path ids with its own salt so that
    several SVGs on one page never share an id."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"quotes-report-{plot}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def draw(name: str, *args, **kwargs):
    """A plot by name, drawn with the report's style (the notebook uses this)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        return PLOTS[name](*args, **kwargs)


PLOTS = {"speakers": speakers, "speaker-stances": speaker_stances, "timeline": timeline, "cues": cues,
         "types": types, "confusion": confusion}
