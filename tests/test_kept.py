import threading

import numpy as np

from seep.kept import Kept
from seep.workspace import pixels


def test_the_least_recently_used_go_first_and_a_kept_value_is_not_made_again():
    made = []
    kept = Kept(2)

    def get(key):
        return kept.get(key, lambda: made.append(key) or key.upper())

    assert [get("a"), get("b"), get("a")] == ["A", "B", "A"]  # "a" is now the most recent
    get("c")  # over budget: "b" goes, not "a"
    assert get("a") == "A" and made == ["a", "b", "c"]
    get("b")
    assert made == ["a", "b", "c", "b"] and len(kept) == 2


def test_entries_weigh_what_weigh_says_and_the_newest_stays_even_over_budget():
    kept = Kept(100, weigh=len)
    kept.get(1, lambda: "x" * 60)
    kept.get(2, lambda: "y" * 30)
    assert len(kept) == 2
    kept.get(3, lambda: "z" * 30)  # 120 > 100: the oldest goes
    assert len(kept) == 2 and kept.get(1, lambda: "made") == "made"
    big = kept.get(4, lambda: "w" * 500)  # alone over budget, still kept: the caller is using it
    assert len(kept) == 1 and kept.get(4, lambda: "made") is big


def test_threads_sharing_it_each_get_a_whole_value():
    kept = Kept(8)
    seen, errors = [], []

    def work(n):
        try:
            for i in range(200):
                seen.append(kept.get(i % 12, lambda i=i: (i % 12, n)))
        except Exception as e:  # noqa: BLE001 - any failure in a thread fails the test
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(seen) == 800 and len(kept) <= 8
    assert all(isinstance(v, tuple) and len(v) == 2 for v in seen)


def test_decoded_pixels_are_read_once_read_only_and_read_again_when_the_file_is_replaced(tmp_path, monkeypatch):
    from seep.data.raster import encode_tiff

    path = tmp_path / "tile.tif"
    path.write_bytes(encode_tiff(np.full((8, 8), 7, np.uint16)))
    reads = []
    real = pixels.read_image
    monkeypatch.setattr(pixels, "read_image", lambda p: reads.append(p) or real(p))
    first = pixels.read_kept(path)
    assert pixels.read_kept(path) is first and len(reads) == 1 and not first.flags.writeable
    path.write_bytes(encode_tiff(np.full((8, 9), 9, np.uint16)))  # a restore puts another file there
    again = pixels.read_kept(path)
    assert again.shape[:2] == (8, 9) and int(again.flat[0]) == 9 and len(reads) == 2
