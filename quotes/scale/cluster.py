"""`quotes annotate --ray [ADDRESS]`: the same pipeline on a Ray cluster (a local one by default).

The driver cuts the inputs into shards without reading a document: a Parquet file's row groups,
a saved dataset's row ranges, a few dozen text or HTML files. Ray Data maps the shards onto a pool
of actors, each of which loads the pipeline (and the model) once, reads its shard with `quotes.io`,
annotates it and writes `part-NNNNN.parquet` (the output schema of `quotes.io.tables`) and a small
`_part-NNNNN.json` of what it skipped, each atomically; only that report travels back.

A shard whose two files exist is not redone, so the same command after an interruption goes on
where it stopped. A single-file output (.jsonl, .parquet) is the parts joined in shard order, ids
made unique as a single-process run makes them: the same file, byte for byte. Any other output name
is a folder of Parquet shards, left as the output (pyarrow.dataset, Ray Data, pandas and
`quotes report` read it as one table; `_`-prefixed files are ignored by all of them).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

from ..document import DataError, QuotesError, atomic_path, output_file
from ..io.read import ReadReport, Skipped, read_file, skipped_for, unique_ids
from ..io.tables import ParquetOutput, is_table, iter_parquet, shards
from .chunks import say_failed

log = logging.getLogger(__name__)
# A shard holds at most this many table rows or files, and fewer in a small run, which is still cut into
# about MIN_SHARDS so that every actor has work; the cut depends on the inputs only (a rerun resumes it).
SHARD_ROWS = 200
SHARD_FILES = 50
MIN_SHARDS = 64
MANIFEST = "_manifest.json"


@dataclass(frozen=True)
class Settings:
    """What an actor needs to build the pipeline and read its shards: plain values, sent to every worker."""
    decider: str = "rules"
    model_dir: str | None = None
    max_bytes: int = 5_000_000
    text_column: str = "text"
    id_column: str = "id"


def plan(files: list[Path], text_column: str = "text") -> list[dict]:
    """The shards, in input order: `{"table": path, "start": a, "stop": b}` or `{"files": [path, …]}`."""
    from ..io.tables import count_rows

    n_rows = sum(count_rows(f) for f in files if is_table(f))
    n_files = sum(1 for f in files if not is_table(f))
    rows = max(1, min(SHARD_ROWS, -(-n_rows // MIN_SHARDS)))
    per_shard = max(1, min(SHARD_FILES, -(-n_files // MIN_SHARDS)))
    out: list[dict] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append({"files": list(pending)})
            pending.clear()

    for f in files:
        if is_table(f):
            flush()
            out.extend({"table": str(f), "start": a, "stop": b} for a, b in shards(f, rows, text_column))
        else:
            pending.append(str(f))
            if len(pending) >= per_shard:
                flush()
    flush()
    return out


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def _report_path(folder: Path, index: int) -> Path:
    return folder / f"_part-{index:05d}.json"


def done(folder: Path, index: int) -> dict | None:
    """The report of a shard an earlier run finished (its part and its report both written), else None."""
    rp = _report_path(folder, index)
    if rp.is_file() and (folder / part_name(index)).is_file():
        try:
            return json.loads(rp.read_text(encoding="utf-8"))
        except ValueError:
            return None
    return None


class ShardAnnotator:
    """A Ray Data actor: the pipeline loaded once, then one shard a call."""

    def __init__(self, folder: str, settings: dict):
        from ..pipeline import load_pipeline

        self.folder = Path(folder)
        self.settings = Settings(**settings)
        self.pipeline = load_pipeline(self.settings.decider, self.settings.model_dir)

    def __call__(self, batch: dict) -> dict:
        return {"report": [json.dumps(self.annotate(json.loads(s))) for s in batch["shard"]]}

    def annotate(self, shard: dict) -> dict:
        index = shard["index"]
        earlier = done(self.folder, index)
        if earlier is not None:
            return earlier
        report = {"index": index, "docs": 0, "quotes": 0, "warnings": [], "skipped": [], "errors": [], "fatal": None}
        with output_file(self.folder / part_name(index)) as tmp:
            out = ParquetOutput(tmp)
            try:
                for doc in self._documents(shard, report):
                    try:
                        result = self.pipeline.annotate(doc)
                    except Exception as e:  # one bad document must not cost the run (as quotes.scale.chunks)
                        report["errors"].append({"id": doc.id, "error": f"{type(e).__name__}: {e}"})
                        continue
                    out.add(result)
                    report["docs"] += 1
                    report["quotes"] += len(result.quotes)
            except QuotesError as e:  # a table's error concerns all its rows: the driver stops with it
                report["fatal"] = str(e)
            finally:
                out.close()
        if report["fatal"] is None:
            with atomic_path(_report_path(self.folder, index)) as p:
                p.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        return report

    def _documents(self, shard: dict, report: dict):
        s = self.settings
        if "table" in shard:
            from ..io.tables import read_table

            yield from read_table(Path(shard["table"]), s.text_column, s.id_column, shard["start"], shard["stop"])
            return
        for f in shard["files"]:
            try:
                yield read_file(Path(f), s.max_bytes, report["warnings"].append)
            except (QuotesError, OSError) as e:
                sk = skipped_for(f, e)
                report["skipped"].append([sk.path, sk.reason])


def _parts_folder(output: Path) -> tuple[Path, bool]:
    """Where the parts go, and whether they are the output itself (a folder of shards)."""
    if output.suffix.lower() in (".jsonl", ".parquet", ".pq"):
        return output.with_name(output.name + ".parts"), False
    return output, True


def _open(folder: Path, signature: dict, is_output: bool) -> None:
    """Keep the parts of an earlier run with this signature; clear those of another; never touch a folder
    that is not ours."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            same = json.loads(manifest.read_text(encoding="utf-8")) == signature
        except ValueError:
            same = False
        if same:
            return
        log.warning("%s: left by a run with other inputs or options; starting over", folder)
        for p in list(folder.glob("part-*.parquet")) + list(folder.glob("_part-*.json")):
            p.unlink()
    elif folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "the output folder" if is_output else "the parts folder"
        raise QuotesError(f"{folder}: {what} exists and was not written by quotes annotate --ray; "
                          "give another output name")
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(manifest) as p:
        p.write_text(json.dumps(signature, ensure_ascii=False, indent=1), encoding="utf-8")


def _start_ray(address: str | None, workers: int | None):
    try:
        import ray
    except ImportError:
        raise QuotesError("--ray needs Ray: pip install 'quotes[ray]' (or 'ray[data]')") from None
    if ray.is_initialized():
        return ray, False

    kwargs = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR,
              "runtime_env": {"env_vars": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}}}
    try:
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=workers, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise QuotesError(f"cannot start or reach Ray{' at ' + address if address else ''}: "
                          f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    return ray, True


def run(files: list[Path], output: str | Path, settings: Settings, signature: dict,
        address: str | None = None, workers: int | None = None, quiet: bool = False,
        write=None) -> tuple[int, int, list[dict], ReadReport]:
    """Annotate on Ray; returns documents written, quotes, per-document errors and what reading skipped.
    `write(docs, output)` writes a single-file output (the CLI's JSONL or Parquet writer)."""
    output = Path(output)
    folder, is_output = _parts_folder(output)
    todo = [dict(s, index=i) for i, s in enumerate(plan(files, settings.text_column))]
    _open(folder, {**signature, "ray": True, "settings": asdict(settings), "shards": len(todo)}, is_output)
    reports = {s["index"]: r for s in todo if (r := done(folder, s["index"])) is not None}
    left = [s for s in todo if s["index"] not in reports]
    if reports and not quiet:
        print(f"quotes: resumed: {len(reports)} of {len(todo)} shard(s) were done by an earlier run", file=sys.stderr)
    if left:
        reports.update(_map(left, folder, settings, address, workers, quiet))
    ordered = [reports[s["index"]] for s in todo]
    fatal = next((r["fatal"] for r in ordered if r.get("fatal")), None)
    if fatal:
        raise DataError(fatal)
    read = ReadReport()
    for r in ordered:
        read.warnings.extend(r["warnings"])
        read.skipped.extend(Skipped(p, why) for p, why in r["skipped"])
    errors = [e for r in ordered for e in r["errors"]]
    for e in errors:
        say_failed(e["id"], e["error"])
    n_docs, n_quotes = sum(r["docs"] for r in ordered), sum(r["quotes"] for r in ordered)
    _unique_ids(folder, len(todo), read.warnings.append)
    if is_output or not n_docs:
        return n_docs, n_quotes, errors, read
    n_docs = write((d for i in range(len(todo)) for d in iter_parquet(folder / part_name(i))), output)
    shutil.rmtree(folder, ignore_errors=True)
    return n_docs, n_quotes, errors, read


def _unique_ids(folder: Path, n: int, warn) -> None:
    """Ids made unique over all parts in shard order, as `quotes.io.read.unique_ids` does in one process; only
    the id and source columns are read, and a part is rewritten only when one of its ids changes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..document import Document

    def stubs():
        for i in range(n):
            t = pq.read_table(folder / part_name(i), columns=["id", "source"])
            for doc_id, source in zip(t.column("id").to_pylist(), t.column("source").to_pylist()):
                yield Document(doc_id, "", extra={"part": i, "was": doc_id, **({"source": source} if source else {})})

    by_part: dict[int, list[str]] = {}
    renamed: set[int] = set()
    for stub in unique_ids(stubs(), warn):
        by_part.setdefault(stub.extra["part"], []).append(stub.id)
        if stub.id != stub.extra["was"]:
            renamed.add(stub.extra["part"])
    for i in sorted(renamed):
        part, ids = folder / part_name(i), by_part[i]
        table = pq.read_table(part)
        table = table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids, pa.string()))
        with atomic_path(part) as tmp:
            pq.write_table(table, tmp)


def _map(shards_left: list[dict], folder: Path, settings: Settings, address: str | None, workers: int | None,
         quiet: bool) -> dict[int, dict]:
    ray, started = _start_ray(address, workers)
    # Ray Data logs a failed run's whole stack at ERROR, and sets its loggers' level from RAY_DATA_LOG_LEVEL when
    # it configures them; the failure reaches the user as our one line below (-v keeps Ray's own logging)
    if not log.isEnabledFor(logging.INFO):
        os.environ.setdefault("RAY_DATA_LOG_LEVEL", "CRITICAL")
        logging.getLogger("ray.data").setLevel(os.environ["RAY_DATA_LOG_LEVEL"])
    try:
        import ray.data

        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # ours below counts shards; Ray's bars are per operator
        pool = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        log.info("Ray: %d shard(s) on %d actor(s), decider %s", len(shards_left), pool, settings.decider)
        ds = ray.data.from_items([{"shard": json.dumps(s)} for s in shards_left], override_num_blocks=len(shards_left))
        with warnings.catch_warnings():
            # max_restarts is only reachable through Ray's deprecated **ray_remote_args in 2.60. Without it Ray
            # restarts lost actors forever, and its core logs at ERROR that restarting an actor whose
            # constructor arguments sit in the object store may fail (ray#53727). A shard lost with its actor
            # fails the run instead; the next run redoes only the shards not written.
            warnings.simplefilter("ignore", DeprecationWarning)
            ds = ds.map_batches(ShardAnnotator, batch_size=1, num_cpus=1,
                                compute=ray.data.ActorPoolStrategy(size=min(pool, len(shards_left))),
                                fn_constructor_kwargs={"folder": str(folder.resolve()), "settings": asdict(settings)},
                                max_restarts=0)
        rows = ds.iter_rows()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            rows = tqdm(rows, total=len(shards_left), unit="shard", desc="annotate (ray)", file=sys.stderr)
        out = {}
        try:
            for n, row in enumerate(rows, 1):
                r = json.loads(row["report"])
                out[r["index"]] = r
                if not quiet and not sys.stderr.isatty() and n % 10 == 0:
                    print(f"quotes: {n}/{len(shards_left)} shard(s) annotated", file=sys.stderr, flush=True)
        except ray.exceptions.RayError as e:
            # an actor that could not start (a broken model folder, a missing spaCy model on a node) fails the
            # run in one line; the shards already written stay for the next run
            cause = getattr(e, "cause", None)
            if isinstance(cause, QuotesError):
                raise QuotesError(f"on Ray: {cause}") from None
            raise QuotesError(f"on Ray: {type(cause or e).__name__}: {str(cause or e).splitlines()[0]}") from None
        return out
    finally:
        if started:
            ray.shutdown()
