"""Writing a model folder (the built base, a trained model) so that no reader ever sees half of it."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..document import QuotesError


@dataclass
class Staged:
    path: Path  # the folder to fill
    publish: bool = True  # set False to drop it (e.g. an identical folder appeared meanwhile)


def _publishable(folder: Path) -> None:
    """mkdtemp and safetensors create owner-only modes; give the folder the usual umask modes."""
    mask = os.umask(0)
    os.umask(mask)
    folder.chmod(0o777 & ~mask)
    for p in folder.iterdir():
        p.chmod(0o666 & ~mask)


@contextmanager
def replace_folder(output: Path, what: str):
    """Yield a Staged temp folder beside `output`; on a clean exit it replaces `output` whole, by renames.
    OSErrors become one QuotesError line; the temp folder never outlives the block."""
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staged = Staged(Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)))
    except OSError as e:
        raise QuotesError(f"cannot write {what} to {output}: {e.strerror or e}") from None
    tmp = staged.path
    try:
        yield staged
        if staged.publish:
            _publishable(tmp)
            # a directory cannot be renamed over a non-empty one: move the old one aside first
            old = output.with_name(f".{output.name}.old-{os.getpid()}") if output.exists() else None
            if old is not None:
                os.replace(output, old)
            os.replace(tmp, output)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
    except OSError as e:
        raise QuotesError(f"cannot write {what} to {output}: {e.strerror or e}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
