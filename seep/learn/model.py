"""U-Net and ResU-Net, built bottom-up from one config.

    ConvBlock / ResBlock -> Down -> Up -> UNet

Any input size works: forward pads to a multiple of 2**depth (times `downsample`; reflecting
the border, so no artificial edge is learnt) and crops the logits back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.fusion import fuse_conv_bn_eval

from seep.errors import BadInputError


@dataclass(frozen=True)
class UNetConfig:
    in_channels: int = 1  # SAR bands (1 for the CGG tiles)
    classes: int = 8  # background + seep classes; 2 for a binary model
    base: int = 16  # channels of the first level; doubles at each level down
    depth: int = 4  # number of 2x downsamplings
    residual: bool = False  # ResU-Net: residual blocks instead of plain double convs
    # The network reads the image at 1/downsample of its resolution (each block averaged) and its
    # logits are upsampled back (bilinear): a quarter of the arithmetic at 2, for CPUs without
    # bf16 where the full-resolution U-Net misses 35 ms a tile (models/README.md, Speed).
    downsample: int = 1

    def __post_init__(self):
        self.check()  # from a model file or from --base/--depth alike: refused before anything is built

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> UNetConfig:
        """A config read from a file, checked before anything is built from it: a model file
        is user input, and `base=1024, depth=5` alone would allocate gigabytes."""
        if not isinstance(d, dict):
            raise BadInputError(f"model config is {type(d).__name__}, not a table of settings")
        d = dict(d)  # the checkpoint's own table stays as it was read
        for key, (plain, what) in RETIRED.items():
            value = d.pop(key, plain)
            if type(value) is not type(plain) or value != plain:
                raise BadInputError(f"this model has {what}, which Seep no longer reads; retrain it without one")
        d.pop("dropout", None)  # acts only in training: a model trained with it predicts as any other
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise BadInputError(f"model config has unknown keys {sorted(unknown)}; was it made by a newer Seep?")
        return cls(**d)

    def check(self) -> None:
        for key, (lo, hi) in BOUNDS.items():
            value = getattr(self, key)
            kind = type(lo)  # the bounds say it: (False, True) bool, (0.0, 1.0) float, else int
            if type(value) is not kind and not (kind is float and type(value) is int):
                raise BadInputError(f"model config {key}={value!r} is not {kind.__name__}")
            if not lo <= value <= hi:
                raise BadInputError(f"model config {key}={value} is outside {lo}..{hi}")
        n = parameter_count(self)
        if n > MAX_PARAMETERS:
            raise BadInputError(
                f"model config {self.to_dict()} has {n / 1e6:.0f} M parameters "
                f"({4 * n / 2**30:.1f} GiB of float32 weights); Seep's limit is {MAX_PARAMETERS / 1e6:.0f} M"
            )


# Options that lost in cross-validation and were deleted, with the value every model without them
# has. A model file saved while one existed names it (to_dict writes every field): at that value it
# is the plain network and loads; at any other it cannot be read as one and is refused by name.
RETIRED = {
    "seep_head": (False, "a seep-vs-not head"),  # until 2026-11-25
    "dilation": (1, "a dilated bottleneck"),  # 2026-11-28, session 28
    "groups": (0, "GroupNorm in place of BatchNorm"),  # 2026-11-28, session 29
}

# What a model file may ask for. The shipped model is base 16, depth 4: 1.9 M parameters.
BOUNDS = {
    "in_channels": (1, 16),
    "classes": (2, 256),
    "base": (1, 256),
    "depth": (1, 7),
    "residual": (False, True),
    "downsample": (1, 8),
}
MAX_PARAMETERS = 100_000_000  # 400 MB of float32 weights, plus Adam's 800 MB when trained


def parameter_count(config: UNetConfig) -> int:
    """Counted on PyTorch's meta device: the real module's shapes, no memory allocated."""
    with torch.device("meta"):
        return count_parameters(UNet(config))


class ConvBlock(nn.Module):
    """(conv 3x3 -> BN -> ReLU) x 2, the original U-Net block."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ResBlock(nn.Module):
    """Two 3x3 convs with an identity (or 1x1) shortcut: the ResU-Net block."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.skip = nn.Identity() if cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.skip(x), inplace=True)


class Down(nn.Module):
    def __init__(self, cin: int, cout: int, block: type[nn.Module]):
        super().__init__()
        self.block = block(cin, cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(F.max_pool2d(x, 2))  # (B, cout, H/2, W/2)


class Up(nn.Module):
    def __init__(self, cin: int, cskip: int, cout: int, block: type[nn.Module]):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.block = block(cin // 2 + cskip, cout)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)  # (B, cin/2, 2H, 2W)
        return self.block(torch.cat([x, skip], dim=1))  # (B, cout, 2H, 2W)


class UNet(nn.Module):
    def __init__(self, config: UNetConfig):
        super().__init__()
        self.config = config
        block = ResBlock if config.residual else ConvBlock
        widths = [config.base * 2**i for i in range(config.depth + 1)]
        self.stem = block(config.in_channels, widths[0])
        self.downs = nn.ModuleList(Down(widths[i], widths[i + 1], block) for i in range(config.depth))
        self.ups = nn.ModuleList(Up(widths[i + 1], widths[i], widths[i], block) for i in reversed(range(config.depth)))
        self.head = nn.Conv2d(widths[0], config.classes, 1)

    @property
    def multiple(self) -> int:
        return 2**self.config.depth * self.config.downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) float -> (B, classes, H, W) logits, for any H and W."""
        if x.ndim != 4 or x.shape[1] != self.config.in_channels:
            raise BadInputError(f"model expects (batch, {self.config.in_channels}, H, W) input, got {tuple(x.shape)}")
        h, w = x.shape[-2:]
        m = self.multiple
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:
            mode = "reflect" if h > ph and w > pw else "replicate"  # reflect needs pad < size
            x = F.pad(x, (0, pw, 0, ph), mode=mode)
        s = self.config.downsample
        if s > 1:
            x = F.avg_pool2d(x, s)  # (B, C, H/s, W/s)
        skips = [self.stem(x)]  # (B, base, H, W)
        for down in self.downs:
            skips.append(down(skips[-1]))  # (B, base*2^i, H/2^i, W/2^i)
        y = skips.pop()
        for up in self.ups:
            y = up(y, skips.pop())
        logits = self.head(y)
        if s > 1:
            logits = F.interpolate(logits, scale_factor=s, mode="bilinear", align_corners=False)
        return logits[..., :h, :w]  # (B, classes, H, W)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def model_for_inference(state: dict, device: torch.device) -> UNet:
    """The network a saved state describes, with its weights, on `device` for prediction
    (channels-last, eval mode, no gradients, BatchNorm folded into its convolutions): what the
    predictor and distillation's teachers run."""
    model = UNet(UNetConfig.from_dict(state["model_config"]))
    model.load_state_dict(state["model"])
    return fold_batchnorm(model.eval()).to(device).to(memory_format=torch.channels_last).requires_grad_(False)


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """Each BatchNorm that follows a convolution folded into that convolution's weights and
    bias (eval mode: the statistics are constants), the BatchNorm left as an identity. The
    same outputs to float rounding (logits within 1e-4 on the shipped model), a pass less over
    every feature map: 14% of the model's time per tile on a 2-core CPU without bf16
    (benchmarks/bench_predict.py). In every block here a BatchNorm is registered right after
    the convolution it normalises, and that order is how pairs are found."""
    for parent in list(model.modules()):
        children = list(parent.named_children())
        for (conv_name, conv), (bn_name, bn) in zip(children, children[1:], strict=False):
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                setattr(parent, conv_name, fuse_conv_bn_eval(conv, bn))
                setattr(parent, bn_name, nn.Identity())
    return model
