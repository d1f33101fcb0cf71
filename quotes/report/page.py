"""The report as one self-contained HTML page: inline CSS, inline SVG plots, a small inline filter script.

Nothing is fetched when the page is viewed; the only links are the articles' own URLs, when the
documents carry them.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from ..document import STANCES
from . import plots
from .data import CONTEXT, Row, Summary

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555} .note{color:#666;font-style:italic}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1em}
figure.plot{margin:0} figure.plot svg{width:100%;height:auto}
table{border-collapse:collapse;margin:.5em 0} th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
#quotes td.ctx{min-width:30em} #quotes td.doc{min-width:11em;max-width:15em;overflow-wrap:anywhere} #quotes td.spk-col{min-width:8em} mark{background:#fde9a9;padding:0 .1em} .cue{text-decoration:underline;font-weight:600}
.spk{font-weight:600;color:#1a5276} .stance{border-radius:3px;padding:0 .35em;color:#fff;white-space:nowrap}
.escalation{background:#c0392b}.diplomacy{background:#2471a3}.neutral{background:#7f8c8d}.none{background:#bbb}
.filters{position:sticky;top:0;background:#fff;padding:.5em 0;display:flex;gap:.6em;align-items:center;flex-wrap:wrap}
.filters input{flex:1;min-width:16em;padding:.3em .5em;font-size:1em}
"""

# Accents and case are ignored, so "negociation" finds "négociations".
SCRIPT = """
(function(){
  const fold = s => s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase();
  const rows = [...document.querySelectorAll('#quotes tbody tr')];
  const hay = rows.map(r => fold(r.textContent));
  const q = document.getElementById('filter'), st = document.getElementById('stance'),
        ty = document.getElementById('type'), shown = document.getElementById('shown');
  function apply(){
    const words = fold(q.value).split(/\\s+/).filter(Boolean);
    let n = 0;
    rows.forEach((r, i) => {
      const ok = words.every(w => hay[i].includes(w)) && (!st.value || r.dataset.stance === st.value)
                 && (!ty.value || r.dataset.type === ty.value);
      r.hidden = !ok; n += ok;
    });
    shown.textContent = n;
  }
  [q, st, ty].forEach(e => ['input', 'change'].forEach(t => e.addEventListener(t, apply)));
  apply();
})();
"""


def _figure(name: str, fig, caption: str = "") -> str:
    cap = f"<figcaption class=note>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class=plot data-plot="{name}">{plots.to_svg(fig, name)}{cap}</figure>'


def _skipped(name: str, why: str) -> str:
    return f'<p class=note data-skipped="{name}">{escape(why)}</p>'


def plot_section(s: Summary, top: int) -> str:
    parts = []
    fig = plots.draw("speakers", s, top)
    unnamed = f"{s.no_speaker} quote(s) without a speaker name are not counted." if s.no_speaker else ""
    parts.append(_figure("speakers", fig, unnamed)
                 if fig else _skipped("speakers", "No quote has a speaker name."))
    fig = plots.draw("speaker-stances", s, top)
    if fig:
        parts.append(_figure("speaker-stances", fig))
    fig = plots.draw("timeline", s)
    undated = s.documents - s.dated_documents
    parts.append(_figure("timeline", fig, f"{undated} document(s) without a date are not counted." if undated else "")
                 if fig else _skipped("timeline", "Stance over time: no document carries a date "
                                      "(meta.date or date), so this plot is left out."))
    fig = plots.draw("cues", s, top)
    parts.append(_figure("cues", fig) if fig else _skipped("cues", "No quote has a cue."))
    fig = plots.draw("types", s)
    if fig:
        parts.append(_figure("types", fig))
    return "<section id=plots><h2>Plots</h2><div class=plots>" + "".join(parts) + "</div></section>"


def _prf_row(label: str, v: dict) -> str:
    return (f"<tr><th>{escape(label)}</th>" + "".join(f"<td class=n>{v[k]:.3f}</td>" for k in ("precision", "recall", "f1"))
            + "".join(f"<td class=n>{v[k]}</td>" for k in ("tp", "pred", "gold")) + "</tr>")


def score_section(m: dict, gold_name: str, n_gold: int, n_missing: int) -> str:
    rows = [_prf_row("quotes", m["quotes"])] + [_prf_row(f"  {t}", v) for t, v in m["by_type"].items()]
    rows.append(_prf_row("end-to-end (speaker)", m["speaker"]["end_to_end"]))
    sp, st = m["speaker"], m["stance"]
    conf = st["confusion"]
    matrix = ("<table class=confusion><tr><th>gold \\ predicted</th>" + "".join(f"<th>{p}</th>" for p in STANCES) + "</tr>"
              + "".join(f"<tr><th>{g}</th>" + "".join(f"<td class=n>{conf[g][p]}</td>" for p in STANCES) + "</tr>"
                        for g in STANCES) + "</table>")
    missing = (f" {n_missing} of them have no predicted document (every gold quote there counts as missed)."
               if n_missing else "")
    return ("<section id=scores><h2>Scores against the gold file</h2>"
            f"<p class=meta>{escape(gold_name)}: {n_gold} document(s), {m['quotes']['gold']} quote(s).{missing} "
            "Scored with <code>quotes.score</code>: spans match at IoU ≥ 0.5, one-to-one.</p>"
            "<table class=scores><tr><th></th><th>P</th><th>R</th><th>F1</th><th>tp</th><th>pred</th><th>gold</th></tr>"
            + "".join(rows) + "</table>"
            f"<p>Speaker accuracy <b>{sp['accuracy']:.3f}</b> ({sp['correct']}/{sp['matched']} matched quotes). "
            f"Stance accuracy <b>{st['accuracy']:.3f}</b>, macro-F1 <b>{st['macro_f1']:.3f}</b> "
            f"({st['scored']} matched quotes with a gold stance). "
            f"Predictions inside ignore regions (not counted): {m['ignored_predictions']}.</p>"
            f"<div class=plots>{_figure('confusion', plots.draw('confusion', conf))}<div>{matrix}</div></div></section>")


def _context(row: Row) -> str:
    out = []
    for kind, text in row.pieces:
        t = escape(" ".join(text.split()) if kind else _squeeze(text))
        out.append({"quote": f"<mark>{t}</mark>", "cue": f"<span class=cue>{t}</span>",
                    "speaker": f"<span class=spk>{t}</span>"}.get(kind, t))
    return "".join(out)


def _squeeze(text: str) -> str:
    # line breaks and runs of spaces, shown as one space, but keeping the spaces at the edges next to a highlight
    lead = " " if text[:1].isspace() else ""
    tail = " " if text[-1:].isspace() and text.strip() else ""
    return lead + " ".join(text.split()) + tail


def table_section(s: Summary) -> str:
    body = []
    for i, r in enumerate(s.rows, 1):
        q = r.quote
        stance = q.stance if q.stance in STANCES else "none"
        conf = q.confidence or {}
        doc = escape(r.title or r.doc_id)
        if r.url:
            doc = f'<a href="{escape(r.url)}" rel="noopener noreferrer">{doc}</a>'
        date = f"<br><small>{r.date.isoformat()}</small>" if r.date else ""
        tip = lambda k: f' title="confidence {conf[k]:.2f}"' if isinstance(conf.get(k), (int, float)) else ""
        body.append(
            f'<tr data-stance="{stance}" data-type="{escape(str(q.type))}"><td class=n>{i}</td>'
            f'<td class=doc>{doc}{date}<br><small>{escape(r.doc_id)} {q.start}–{q.end}</small></td>'
            f'<td class=spk-col{tip("speaker")}>{escape(r.speaker or "—")}</td>'
            f'<td><span class="stance {stance}"{tip("stance")}>{stance}</span></td>'
            f"<td>{escape(str(q.type))}</td><td>{escape(r.cue or '—')}</td>"
            f"<td class=ctx>{_context(r)}</td></tr>")
    capped = (f" The table holds the first {len(s.rows):,} of {s.quotes:,} quotes (<code>--max-rows</code>)."
              if len(s.rows) < s.quotes else "")
    opts = lambda xs: "<option value=''>all</option>" + "".join(f"<option>{escape(x)}</option>" for x in xs)
    return ("<section><h2>Quotes</h2>"
            f"<p class=note>Each quote is highlighted in its article, with {CONTEXT} characters either side; the cue is "
            f"underlined and the speaker mention in bold.{capped}</p>"
            "<div class=filters><input id=filter type=search placeholder='Filter: words in the quote, speaker, "
            f"cue, document…' aria-label=filter> stance <select id=stance>{opts([*STANCES, 'none'])}</select> "
            f"type <select id=type>{opts(sorted(s.types))}</select> <span><span id=shown>{len(s.rows)}</span> "
            f"of {len(s.rows)} shown</span></div>"
            "<table id=quotes><thead><tr><th>#</th><th>document</th><th>speaker</th><th>stance</th><th>type</th>"
            "<th>cue</th><th>quote in context</th></tr></thead><tbody>" + "".join(body) + "</tbody></table></section>")


def render(s: Summary, sources: list[str], top: int = 15, scores: str = "") -> str:
    versions = ", ".join(f"{escape(v)} ({n})" for v, n in s.versions.most_common(3) if v != "unknown")
    dates = ""
    if s.by_date:
        dates = f"; dated {min(s.by_date).isoformat()} to {max(s.by_date).isoformat()}"
    stance_counts = ", ".join(f"{k} {s.stances[k]}" for k in (*STANCES, "none") if s.stances.get(k))
    made = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>quotes report: {escape(', '.join(sources))}</title><style>{CSS}</style></head><body>"
            f"<h1>Quotes report</h1><p class=meta>{escape(', '.join(sources))}: {s.documents:,} document(s), "
            f"{s.quotes:,} quote(s), {len(s.speakers):,} speaker(s){dates}. Stances: {stance_counts or 'none'}. "
            + (f"Produced by: {versions}. " if versions else "") + f"Report made {made}.</p>"
            + plot_section(s, top) + scores + table_section(s) + f"<script>{SCRIPT}</script></body></html>")
