import numpy as np
import pytest
import torch

from seep.errors import BadInputError
from seep.learn.model import UNet, UNetConfig, count_parameters


@pytest.mark.parametrize("residual", [False, True], ids=["unet", "resunet"])
@pytest.mark.parametrize("classes", [2, 8])
@pytest.mark.parametrize("hw", [(64, 64), (37, 53), (100, 20)])
@pytest.mark.parametrize("downsample", [1, 2, 3])
def test_any_input_size_gives_logits_of_that_size(residual, classes, hw, downsample):
    cfg = UNetConfig(in_channels=2, classes=classes, base=4, depth=3, residual=residual, downsample=downsample)
    m = UNet(cfg).eval()
    with torch.no_grad():
        y = m(torch.randn(2, 2, *hw))
    assert y.shape == (2, classes, *hw)


@pytest.mark.parametrize("residual", [False, True], ids=["unet", "resunet"])
@pytest.mark.parametrize("downsample", [1, 2])
def test_inference_folds_batchnorm_into_the_convolutions_and_predicts_the_same(residual, downsample):
    import torch.nn as nn

    from seep.learn.model import model_for_inference

    torch.manual_seed(0)
    m = UNet(UNetConfig(in_channels=1, classes=8, base=4, depth=3, residual=residual, downsample=downsample))
    m.train()
    for _ in range(3):  # running statistics and affine weights far from the identity they start at
        m(torch.randn(4, 1, 64, 64) * 3 + 1)
    for bn in (x for x in m.modules() if isinstance(x, nn.BatchNorm2d)):
        nn.init.uniform_(bn.weight, 0.5, 2.0), nn.init.uniform_(bn.bias, -1.0, 1.0)
    state = {"model_config": m.config.to_dict(), "model": m.state_dict()}
    folded = model_for_inference(state, torch.device("cpu"))
    assert not any(isinstance(x, nn.BatchNorm2d) for x in folded.modules())
    x = torch.randn(2, 1, 64, 64) * 3 + 1
    with torch.no_grad():
        want = m.eval()(x)
        got = folded(x.contiguous(memory_format=torch.channels_last))
    assert torch.allclose(got, want, atol=1e-4, rtol=1e-4) and torch.equal(got.argmax(1), want.argmax(1))


def test_model_files_from_when_a_seep_head_was_an_option_still_load():
    """Models trained or fine-tuned while `seep_head` existed carry it as False: they still load;
    one that used the head cannot be read as a plain softmax, so it is refused by name."""
    assert UNetConfig.from_dict({**UNetConfig().to_dict(), "seep_head": False}) == UNetConfig()
    with pytest.raises(BadInputError, match="seep-vs-not head, which Seep no longer reads"):
        UNetConfig.from_dict({**UNetConfig().to_dict(), "seep_head": True})


@pytest.mark.parametrize(
    ("key", "plain", "other", "what"),
    [("dilation", 1, 2, "dilated bottleneck"), ("groups", 0, 8, "GroupNorm in place of BatchNorm")],
)
def test_model_files_from_when_a_deleted_architecture_option_existed_still_load(key, plain, other, what):
    """Models saved while `--dilation` or `--groups` existed name it at its plain value: they load as
    the network they are (not as "made by a newer Seep"); one that used it is refused by name."""
    saved = {**UNetConfig().to_dict(), key: plain}
    assert UNetConfig.from_dict(saved) == UNetConfig() and saved[key] == plain
    with pytest.raises(BadInputError, match=f"{what}, which Seep no longer reads"):
        UNetConfig.from_dict({**UNetConfig().to_dict(), key: other})


def test_model_files_from_when_dropout_was_an_option_still_load():
    """Dropout acts only in training, so a model file that names it, at any rate, loads as the
    network it always was at inference."""
    for rate in (0.0, 0.3):
        assert UNetConfig.from_dict({**UNetConfig().to_dict(), "dropout": rate}) == UNetConfig()


def test_a_downsampling_network_reads_blocks_and_costs_a_quarter_at_two():
    """At 2 the network sees each 2x2 block's mean: an image constant on those blocks and its
    half-resolution copy give the same logits, upsampled; the arithmetic is that of a quarter
    of the pixels (four times fewer activations in the first block)."""
    torch.manual_seed(0)
    full = UNet(UNetConfig(base=4, depth=2, downsample=2)).eval()
    half = UNet(UNetConfig(base=4, depth=2)).eval()
    half.load_state_dict(full.state_dict())  # downsample adds no weights
    small = torch.randn(1, 1, 16, 16)
    with torch.no_grad():
        got = full(small.repeat_interleave(2, -2).repeat_interleave(2, -1))
        want = torch.nn.functional.interpolate(half(small), scale_factor=2, mode="bilinear", align_corners=False)
    assert got.shape == (1, 8, 32, 32) and torch.allclose(got, want, atol=1e-5)
    with pytest.raises(BadInputError, match="downsample=0 is outside 1..8"):
        UNetConfig(downsample=0)


def test_wrong_channel_count_names_the_expected_shape():
    m = UNet(UNetConfig(in_channels=1, base=4, depth=2))
    with pytest.raises(BadInputError, match=r"expects \(batch, 1, H, W\) input, got \(1, 3, 32, 32\)"):
        m(torch.randn(1, 3, 32, 32))


def test_config_round_trip_and_size():
    cfg = UNetConfig(base=16, depth=4, residual=True)
    assert UNetConfig.from_dict(cfg.to_dict()) == cfg
    assert count_parameters(UNet(UNetConfig(base=16, depth=4))) * 4 < 10e6  # shippable under 10 MB
    with pytest.raises(BadInputError, match="unknown keys"):
        UNetConfig.from_dict({**cfg.to_dict(), "attention": True})


@pytest.mark.parametrize(
    "change, message",
    [
        ({"base": 1024, "depth": 5}, "base=1024 is outside"),
        ({"base": 256, "depth": 7}, "M parameters"),
        ({"depth": "4"}, "depth='4' is not int"),
        ({"classes": 1}, "classes=1 is outside"),
        ({"width": 3}, "unknown keys"),
    ],
)
def test_a_model_file_cannot_ask_for_an_impossible_or_huge_network(tmp_path, change, message):
    """A model file is user input: its config is checked before anything is allocated, and
    its weights must be the ones that config builds."""
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint

    state = {"model": UNet(UNetConfig(base=4, depth=2)).state_dict(), "normalizer": {}, "class_names": ["bg", "seep"]}
    save_checkpoint(tmp_path / "m.pt", {**state, "model_config": {**UNetConfig(base=4, depth=2).to_dict(), **change}})
    with pytest.raises(BadInputError, match=message):
        load_checkpoint(tmp_path / "m.pt")


def test_weights_must_match_their_config(tmp_path):
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint

    cfg = UNetConfig(base=4, depth=2)
    state = {"normalizer": {}, "class_names": ["bg", "seep"], "model_config": {**cfg.to_dict(), "base": 8}}
    save_checkpoint(tmp_path / "m.pt", {**state, "model": UNet(cfg).state_dict()})
    with pytest.raises(
        BadInputError, match=r"its weight stem\.net\.0\.weight is \(4, 1, 3, 3\), but its config .* builds \(8, 1, 3, 3\)"
    ):
        load_checkpoint(tmp_path / "m.pt")
    weights = UNet(cfg).state_dict()
    weights.pop("head.bias")
    save_checkpoint(tmp_path / "m.pt", {**state, "model_config": cfg.to_dict(), "model": weights})
    with pytest.raises(BadInputError, match="do not match its config"):
        load_checkpoint(tmp_path / "m.pt")


def test_prediction_runs_without_autograd(tiny_model):
    """Predictor._probs runs under inference mode: no graph is kept for the tensors it makes
    (a helper once inserted above it took its decorator, and every prediction tracked gradients)."""
    from seep.learn.infer import Predictor

    p = Predictor(tiny_model, device="cpu")
    seen = []
    p.model.register_forward_hook(lambda m, i, o: seen.append(torch.is_inference_mode_enabled()))
    p.predict([np.zeros((64, 64, 1), np.float32)])
    assert seen == [True]
