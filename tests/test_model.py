import pytest
import torch

from seep.errors import BadInputError
from seep.learn.model import UNet, UNetConfig, count_parameters


@pytest.mark.parametrize("residual", [False, True], ids=["unet", "resunet"])
@pytest.mark.parametrize("classes", [2, 8])
@pytest.mark.parametrize("hw", [(64, 64), (37, 53), (100, 20)])
def test_any_input_size_gives_logits_of_that_size(residual, classes, hw):
    m = UNet(UNetConfig(in_channels=2, classes=classes, base=4, depth=3, residual=residual)).eval()
    with torch.no_grad():
        y = m(torch.randn(2, 2, *hw))
    assert y.shape == (2, classes, *hw)


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
