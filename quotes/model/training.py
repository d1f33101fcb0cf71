"""The training loop behind `python -m quotes.train` (arguments and reading live there)."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import platform
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..document import Document, QuotesError
from ..score import names_agree, score_documents
from . import checkpoint
from .calibration import fit_logistic, fit_temperature
from .data import prepare, rows, tokenize, collate
from .decider import Predictor, decide_prepared
from .features import N_FEATURES, STANCE_LABELS, Window

log = logging.getLogger("quotes.train")


def _seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _prepare_all(pipeline, docs: list[Document], desc: str, quiet: bool, shape: Window):
    from tqdm import tqdm

    return [prepare(pipeline, d, gold=True, shape=shape) for d in tqdm(docs, desc=desc, unit="doc", file=sys.stderr,
                                                          disable=quiet)]


def _annotate(predictor: Predictor, pipeline, preps) -> list[Document]:
    return [Document(p.doc.id, p.doc.text, decide_prepared(predictor, p, pipeline.decider.decide(p.doc, p.parsed, p.items)))
            for p in preps]


def _evaluate(predictor: Predictor, pipeline, preps, gold_docs) -> dict:
    """Annotate the prepared documents with the model and score them with quotes.score."""
    return score_documents(gold_docs, _annotate(predictor, pipeline, preps))[0]


def _speaker_points(res) -> list[tuple[float, bool]]:
    """(speaker confidence, whether the scorer counts the speaker right) for every matched quote."""
    return [(float((m.pred.confidence or {}).get("speaker", 0.0)), names_agree(m.pred.speaker_name, m.gold.speaker_name))
            for m in res.matches]


def _rules_figures(pipeline, preps, gold_docs) -> dict:
    preds = [Document(p.doc.id, p.doc.text, pipeline.decider.decide(p.doc, p.parsed, p.items)) for p in preps]
    return score_documents(gold_docs, preds)[0]


def _summary(m: dict) -> dict:
    return {"quote_f1": m["quotes"]["f1"], "speaker_accuracy": m["speaker"]["accuracy"],
            "end_to_end_f1": m["speaker"]["end_to_end"]["f1"], "stance_macro_f1": m["stance"]["macro_f1"]}


def mean_state(snapshots: list[dict]) -> dict:
    """The element-wise mean of several states of the same parameters (checkpoint averaging)."""
    import torch

    return {n: torch.stack([s[n].float() for s in snapshots]).mean(0).to(snapshots[0][n].dtype) for n in snapshots[0]}


def run(data_args, model_args, args, pipeline, read_gold) -> Path:
    import torch
    from datasets import Dataset
    from tqdm import tqdm
    from transformers import get_linear_schedule_with_warmup

    from .base import load_encoder, load_tokenizer, resolve_base
    from .network import QuoteModel, lora_config, with_lora

    t_start = time.monotonic()
    train_docs, train_counts = read_gold(data_args.train)
    dev_docs, dev_counts = read_gold([data_args.dev])
    test_docs, test_counts = read_gold([data_args.test]) if data_args.test else ([], [])
    path, base_desc = resolve_base(model_args.base_model)
    log.info("%s", base_desc)
    for c in train_counts + dev_counts + test_counts:
        log.info("data %s: %d documents, %d quotes", c["file"], c["documents"], c["quotes"])
    _seed(args.seed)
    tokenizer = load_tokenizer(path)
    shape = Window(left=model_args.window_left, right=model_args.window_right)
    layers = {"num_hidden_layers": model_args.num_layers} if model_args.num_layers else {}
    encoder = load_encoder(path, tokenizer=tokenizer, **layers)
    mtype = encoder.config.model_type
    lcfg = lora_config(mtype, model_args.lora_r, model_args.lora_alpha, model_args.lora_dropout)
    peft_model = with_lora(encoder, lcfg)
    model = QuoteModel(peft_model, encoder.config.hidden_size, N_FEATURES, len(STANCE_LABELS))

    train_preps = _prepare_all(pipeline, train_docs, "rules on train", args.quiet, shape)
    dev_preps = _prepare_all(pipeline, dev_docs, "rules on dev", args.quiet, shape)
    train_rows = [r for p in train_preps for r in rows(p, labelled_only=True, shape=shape)]
    if not train_rows:
        raise QuotesError("no training rows: the rule layer matched none of the gold quotes")
    ds = Dataset.from_list(train_rows).map(lambda r: tokenize(r, tokenizer), desc="tokenize",
                                           keep_in_memory=True)
    ds = ds.remove_columns(["text", "quote", "cand_spans", "doc_id"])
    n_speaker = sum(1 for r in train_rows if r["speaker_label"] >= 0)
    log.info("%d training rows (%d with the gold speaker among the candidates) from %d documents",
             len(train_rows), n_speaker, len(train_docs))

    steps_per_epoch = math.ceil(len(ds) / args.batch_size)
    total = steps_per_epoch * args.epochs
    if args.max_steps:
        total = min(total, args.max_steps)
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    adapters = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    opt = torch.optim.AdamW([{"params": adapters, "lr": args.learning_rate},
                             {"params": heads, "lr": args.head_learning_rate}], weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(args.warmup_ratio * total), total)
    n_trainable = sum(p.numel() for p in adapters + heads)
    log.info("training %d parameters (LoRA r=%d on %s, heads); %d steps at most", n_trainable, lcfg.r,
             ",".join(sorted(lcfg.target_modules)) if lcfg.target_modules else "peft defaults", total)

    pad = tokenizer.pad_token_id
    stance_loss = torch.nn.CrossEntropyLoss(ignore_index=-100)
    speaker_loss = torch.nn.CrossEntropyLoss(ignore_index=-100)
    live = Predictor(model, tokenizer, bf16=args.bf16, shape=shape)
    history, best, best_state, bad, step = [], -1.0, None, 0, 0
    snapshots: list[dict] = []  # each epoch's trainable weights, for --average-last
    gen = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(ds), generator=gen).tolist()
        t0 = time.monotonic()
        bar = tqdm(range(0, len(order), args.batch_size), desc=f"epoch {epoch}", unit="step", file=sys.stderr,
                   disable=args.quiet)
        running = 0.0
        for k in bar:
            batch, spk, stance = collate([ds[i] for i in order[k:k + args.batch_size]], pad)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                st_logits, sp_logits = model(**batch)
            loss = stance_loss(st_logits.float(), stance)
            if (spk >= 0).any():
                loss = loss + speaker_loss(sp_logits.float().clamp(min=-1e4), spk)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(adapters + heads, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            lv = float(loss.detach())
            running = 0.9 * running + 0.1 * lv if step > 1 else lv
            bar.set_postfix(loss=f"{running:.3f}")
            if args.max_steps and step >= args.max_steps:
                break
        model.eval()
        m = _summary(_evaluate(live, pipeline, dev_preps, dev_docs))
        key = m["speaker_accuracy"] + m["stance_macro_f1"]
        history.append({"epoch": epoch, "steps": step, "seconds": round(time.monotonic() - t0, 1), "dev": m})
        log.info("epoch %d: dev speaker %.3f, stance macro-F1 %.3f, end-to-end F1 %.3f (%.0f s)", epoch,
                 m["speaker_accuracy"], m["stance_macro_f1"], m["end_to_end_f1"], time.monotonic() - t0)
        state = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
        if args.average_last:
            snapshots = (snapshots + [state])[-args.average_last:]
        if key > best:
            best, bad = key, 0
            best_state = state
            history[-1]["best"] = True
        else:
            bad += 1
        if (args.max_steps and step >= args.max_steps) or bad >= args.patience:
            break
    averaged = bool(args.average_last) and len(snapshots) > 1
    if averaged:
        best_state = mean_state(snapshots)
        for h in history:
            h.pop("best", None)
    with torch.no_grad():
        params = dict(model.named_parameters())
        for n, v in best_state.items():
            params[n].copy_(v)
    model.eval()
    epochs_run = len(history)
    if averaged:
        t0 = time.monotonic()
        m = _summary(_evaluate(live, pipeline, dev_preps, dev_docs))
        history.append({"epoch": f"mean of {history[-len(snapshots)]['epoch']}-{history[-1]['epoch']}",
                        "steps": step, "seconds": round(time.monotonic() - t0, 1), "dev": m, "best": True})
        log.info("kept the mean of the last %d epochs: dev speaker %.3f, stance macro-F1 %.3f, "
                 "end-to-end F1 %.3f", len(snapshots), m["speaker_accuracy"], m["stance_macro_f1"], m["end_to_end_f1"])

    # temperature scaling on dev: one scalar per head
    dev_rows = [r for p in dev_preps for r in rows(p, labelled_only=True, shape=shape)]
    sp_logits, st_logits = live.logits(dev_rows) if dev_rows else ([], torch.zeros((0, 3)))
    temperature = {"speaker": fit_temperature(sp_logits, [r["speaker_label"] for r in dev_rows]),
                   "stance": fit_temperature(list(st_logits), [r["stance_label"] for r in dev_rows])}
    live.t_speaker, live.t_stance = temperature["speaker"], temperature["stance"]
    log.info("temperatures on dev: speaker %.2f, stance %.2f", temperature["speaker"], temperature["stance"])
    # one annotation of dev serves the speaker map and the dev figures: the map changes confidences, not choices
    dev_metrics, dev_res = score_documents(dev_docs, _annotate(live, pipeline, dev_preps))
    speaker_map = fit_logistic(_speaker_points(dev_res))
    live.speaker_map = speaker_map
    log.info("speaker confidence on dev: sigmoid(%.3f * logit(p) %+.3f)", *speaker_map)

    figures = {"dev": {"rules": _summary(_rules_figures(pipeline, dev_preps, dev_docs)),
                       "model": _summary(dev_metrics)}}
    if test_docs:
        test_preps = _prepare_all(pipeline, test_docs, "rules on test", args.quiet, shape)
        figures["test"] = {"rules": _summary(_rules_figures(pipeline, test_preps, test_docs)),
                           "model": _summary(_evaluate(live, pipeline, test_preps, test_docs))}
    seconds = round(time.monotonic() - t_start, 1)
    config = {
        "format": checkpoint.FORMAT, "name": Path(args.output).name,
        "base": checkpoint.base_entry(model_args.base_model, path, base_desc, encoder),
        "lora": {"r": lcfg.r, "alpha": lcfg.lora_alpha, "dropout": lcfg.lora_dropout,
                 "targets": sorted(lcfg.target_modules) if lcfg.target_modules else None},
        "window": dataclasses.asdict(shape), "n_features": N_FEATURES, "stances": list(STANCE_LABELS),
        "temperature": temperature, "speaker_confidence": list(speaker_map),
        "trained": {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "seconds": seconds,
                    "seed": args.seed, "epochs_run": epochs_run, "steps": step,
                    "train": train_counts, "dev": dev_counts, "test": test_counts,
                    "rows": len(train_rows), "rows_with_speaker": n_speaker,
                    "hyper_parameters": {k: v for k, v in vars(args).items() if k not in ("output", "quiet")}
                    | {k: v for k, v in vars(model_args).items() if k != "base_model"},
                    "command": "python -m quotes.train " + " ".join(sys.argv[1:]),
                    "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"},
        "figures": figures, "history": history,
    }
    out = checkpoint.save(Path(args.output), model, peft_model, config, card=model_card(config))
    print(f"quotes: model written to {out} (dev speaker {figures['dev']['model']['speaker_accuracy']:.3f}, "
          f"stance macro-F1 {figures['dev']['model']['stance_macro_f1']:.3f}; {seconds:.0f} s)", file=sys.stderr)
    return out


def model_card(c: dict) -> str:
    t = c["trained"]
    lines = [f"# {Path(c.get('name', 'quotes model')).name}", "",
             "Speaker choice and stance (escalation / diplomacy / neutral) for the quotes the rule layer of "
             "`quotes` proposes in French news. Written by `python -m quotes.train`.", "",
             f"- Base encoder: {c['base']['description']} ({c['base']['model_type']}, hidden "
             f"{c['base']['hidden_size']}, {c['base']['num_hidden_layers']} layers, vocabulary {c['base']['vocab_size']})",
             f"- Fine-tuning: LoRA r={c['lora']['r']}, alpha={c['lora']['alpha']} on "
             f"{', '.join(c['lora']['targets'] or ['peft defaults'])}; word embeddings frozen; heads trained",
             f"- Trained {t['date']} in {t['seconds']:.0f} s ({t['epochs_run']} epoch(s), {t['steps']} steps, "
             f"seed {t['seed']}) on {t['machine']}",
             f"- Calibration on dev: temperatures speaker {c['temperature']['speaker']}, "
             f"stance {c['temperature']['stance']}; speaker confidence sigmoid(a · logit(p) + b) with (a, b) = "
             f"{tuple(c.get('speaker_confidence', (1.0, 0.0)))}", "", "## Data", "",
             "| split | file | documents | quotes |", "|---|---|---|---|"]
    for split in ("train", "dev", "test"):
        for f in t[split]:
            lines.append(f"| {split} | `{f['file']}` | {f['documents']} | {f['quotes']} |")
    lines += ["", f"{t['rows']} training rows (rule proposals matched to a gold quote), "
              f"{t['rows_with_speaker']} with the gold speaker among the candidates.", "",
              "## Figures (`quotes.score`)", "",
              "| split | decider | quote F1 | speaker accuracy | end-to-end F1 | stance macro-F1 |",
              "|---|---|---|---|---|---|"]
    for split, fig in c["figures"].items():
        for who in ("rules", "model"):
            m = fig[who]
            lines.append(f"| {split} | {who} | {m['quote_f1']:.3f} | {m['speaker_accuracy']:.3f} | "
                         f"{m['end_to_end_f1']:.3f} | {m['stance_macro_f1']:.3f} |")
    lines += ["", "## Per epoch (dev)", "", "| epoch | steps | seconds | speaker | stance macro-F1 | kept |",
              "|---|---|---|---|---|---|"]
    for h in c["history"]:
        lines.append(f"| {h['epoch']} | {h['steps']} | {h['seconds']} | {h['dev']['speaker_accuracy']:.3f} | "
                     f"{h['dev']['stance_macro_f1']:.3f} | {'yes' if h.get('best') else ''} |")
    lines += ["", "## Hyper-parameters", "", "```json", json.dumps(t["hyper_parameters"], indent=2), "```", "",
              "## Reproduce", "", "```", t["command"], "```", ""]
    return "\n".join(lines)
