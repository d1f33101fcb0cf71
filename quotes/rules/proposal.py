"""A quote as the rule layer proposes it: the one record every rule stage passes on."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from .cues import Cue


@dataclass
class Proposal:
    """A quote as the rule layer proposes it; offsets are into the document text."""

    start: int
    end: int
    type: str
    rule: str  # which construction found it (the calibration key of its confidence)
    cue: Cue | None = None
    cue_kind: str = "none"  # verb | inverted | source | colon | none
    colon: tuple[int, int] | None = None  # the colon cue, when that is the cue
    speaker_hint: tuple[int, int] | None = None  # char span the construction points at
    speaker_side: str = "none"  # after | before | inverted | source | colon | position
    doc: Doc | None = None
    base: int = 0  # offset of doc in the document text
    extra: dict = field(default_factory=dict)
