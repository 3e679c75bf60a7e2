"""How the process gets memory for tensors on the CPU.

PyTorch's activations at batch 8 are 33 MB a layer for a 256x256 tile, over the largest size
glibc serves from its heap (32 MB), so glibc maps each one from the kernel, which zeroes it page
by page, and unmaps it when freed: again every layer of every batch. On the 2-core CPU
without bf16 that was 5.8 s of `seep predict`'s 20 s over 174 tiles, in the kernel. Serving
every allocation from the heap and keeping what is freed there, the same command took 16.9 s
against 19.1 s (medians of 3, alternated), with the same masks and confidence maps to the bit
and about the same peak memory (models/EXPERIMENTS.md, "Speed").
"""

from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4  # glibc's malloc.h
KEEP_UP_TO = 2**31 - 1  # freed memory at the heap's top goes back to the kernel only past 2 GB


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to serve large blocks from its heap and keep them when freed, for
    the rest of this process. False (and nothing changed) where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it, and only glibc has these settings
        return bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(libc.mallopt(M_TRIM_THRESHOLD, KEEP_UP_TO))
    except (OSError, AttributeError, TypeError):
        return False
