"""Training end to end on a tiny random CamemBERT with a tokenizer trained here, then annotating with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotes.document import read_jsonl, write_jsonl

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gold(tmp_path_factory):
    docs = read_jsonl(REPO / "annotations" / "dev.jsonl")
    d = tmp_path_factory.mktemp("gold")
    write_jsonl(docs[:3], d / "train.jsonl")
    write_jsonl(docs[3:5], d / "dev.jsonl")
    return d


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory, gold):
    """A 2-layer, hidden-32 CamemBERT with random weights and a Unigram tokenizer trained on a few pages."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import CamembertConfig, CamembertModel, PreTrainedTokenizerFast

    from quotes.model.base import SANITY_TEXT

    texts = [d.text for d in read_jsonl(REPO / "annotations" / "train.jsonl")[:20]]
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=2000, special_tokens=specials, unk_token="<unk>",
                                      initial_alphabet=sorted(set("".join(texts) + SANITY_TEXT)))
    tok.train_from_iterator(texts, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    folder = tmp_path_factory.mktemp("tiny-camembert")
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", mask_token="<mask>", cls_token="<s>", sep_token="</s>")
    fast.save_pretrained(folder)
    config = CamembertConfig(vocab_size=len(fast), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                             intermediate_size=64, max_position_embeddings=514, pad_token_id=fast.pad_token_id,
                             bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id, type_vocab_size=1)
    CamembertModel(config, add_pooling_layer=False).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory, gold, tiny_base):
    from quotes.train import main

    out = tmp_path_factory.mktemp("run") / "tiny-model"
    code = main(["--train", str(gold / "train.jsonl"), "--dev", str(gold / "dev.jsonl"), "--output", str(out),
                 "--base-model", str(tiny_base), "--max-steps", "4", "--epochs", "2", "--batch-size", "8",
                 "--quiet"])
    assert code == 0
    return out


def test_training_writes_a_small_model_folder_with_a_card(trained, tiny_base):
    names = {p.name for p in trained.iterdir()}
    assert {"config.json", "adapter.safetensors", "heads.safetensors", "README.md"} <= names
    config = json.loads((trained / "config.json").read_text())
    assert config["base"]["kind"] == "named" and config["base"]["name"] == str(tiny_base)
    assert config["trained"]["steps"] == 4
    assert config["trained"]["train"][0]["documents"] == 3
    assert 0.5 <= config["temperature"]["speaker"] <= 4.0
    a, b = config["speaker_confidence"]  # the logistic map fitted on dev, read back by the decider
    from quotes.model.decider import Predictor

    assert Predictor.from_folder(trained).speaker_map == (a, b)
    card = (trained / "README.md").read_text()
    assert "| dev | rules |" in card and "| dev | model |" in card and "python -m quotes.train" in card
    # the base is never copied into the folder
    assert sum(p.stat().st_size for p in trained.iterdir()) < 5_000_000


def test_adapters_hold_only_lora_weights(trained):
    from safetensors.torch import load_file

    keys = load_file(str(trained / "adapter.safetensors")).keys()
    assert keys and all("lora_" in k for k in keys)
    heads = load_file(str(trained / "heads.safetensors")).keys()
    assert not any(k.startswith("encoder.") for k in heads)


def test_annotate_with_the_trained_model(trained, tmp_path, capsys):
    from quotes.cli import main

    out = tmp_path / "pred.jsonl"
    assert main(["annotate", "--model", str(trained), "-q", str(REPO / "examples" / "barrage_nil_bleu.txt"),
                 "-o", str(out)]) == 0
    [doc] = read_jsonl(out)
    assert doc.extra["model_version"].startswith(f"quotes-") and f"model:{trained.name}@" in doc.extra["model_version"]
    assert doc.quotes
    for q in doc.quotes:
        assert doc.text[q.start:q.end] == q.text
        assert q.stance in ("escalation", "diplomacy", "neutral")
        assert 0.0 < q.confidence["stance"] <= 1.0 and 0.0 < q.confidence["speaker"] <= 1.0
        if q.speaker is not None:
            assert doc.text[q.speaker.start:q.speaker.end] == q.speaker.text


def test_rules_only_does_not_load_the_model(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from quotes.cli import main; "
            f"r = main(['annotate', '--rules-only', '-q', {str(REPO / 'examples' / 'barrage_nil_bleu.txt')!r}, "
            f"'-o', {str(tmp_path / 'o.jsonl')!r}]); "
            # spaCy's thinc imports torch itself; what the model adds must stay out
            "loaded = [m for m in ('transformers', 'peft', 'quotes.model.decider') if m in sys.modules]; "
            "assert not loaded, loaded; sys.exit(r)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    [doc] = read_jsonl(tmp_path / "o.jsonl")
    assert "+rules+" in doc.extra["model_version"]


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "absent", "no such folder"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "not a quotes model folder"),
])
def test_bad_model_folder_is_one_line_exit_2(tmp_path, capsys, make, message):
    from quotes.cli import main

    code = main(["annotate", "--model", str(make(tmp_path)), str(REPO / "examples" / "barrage_nil_bleu.txt")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_train_on_a_missing_file_is_one_line_exit_2(tmp_path, capsys):
    from quotes.train import main

    code = main(["--train", str(tmp_path / "nope.jsonl"), "--dev", str(tmp_path / "nope.jsonl"),
                 "--output", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 2 and "no such file" in err
    assert not (tmp_path / "m").exists()


def test_mean_state_is_the_element_wise_mean():
    import torch

    from quotes.model.training import mean_state

    a = {"w": torch.tensor([1.0, 2.0]), "b": torch.tensor([[0.0]])}
    b = {"w": torch.tensor([3.0, 6.0]), "b": torch.tensor([[1.0]])}
    m = mean_state([a, b])
    assert torch.equal(m["w"], torch.tensor([2.0, 4.0])) and torch.equal(m["b"], torch.tensor([[0.5]]))


def test_average_last_keeps_the_mean_of_the_last_epochs_and_says_so(tmp_path, gold, tiny_base):
    from quotes.train import main

    out = tmp_path / "avg-model"
    code = main(["--train", str(gold / "train.jsonl"), "--dev", str(gold / "dev.jsonl"), "--output", str(out),
                 "--base-model", str(tiny_base), "--epochs", "3", "--patience", "9", "--batch-size", "8",
                 "--average-last", "2", "--quiet"])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    history = config["history"]
    assert [h["epoch"] for h in history] == [1, 2, 3, "mean of 2-3"]
    assert [bool(h.get("best")) for h in history] == [False, False, False, True]
    assert config["trained"]["epochs_run"] == 3
    assert "| mean of 2-3 |" in (out / "README.md").read_text()


def test_an_unknown_argument_is_an_argparse_error_not_a_traceback(tmp_path, capsys):
    from quotes.train import main

    with pytest.raises(SystemExit) as e:
        main(["--train", "a.jsonl", "--dev", "b.jsonl", "--output", str(tmp_path / "m"), "-q"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "unrecognized arguments: -q" in err and "Traceback" not in err
