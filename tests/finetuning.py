"""What the fine-tune tests share: the shape of a U-Net small enough to fine-tune in seconds,
and a stand-in for evaluate() where a test is about what a verdict does, not how a model scores."""

TINY = {"base": 4, "depth": 2}


def fake_evaluate(candidate_iou: float, base_iou: float):
    """evaluate() by model file: the base scores base_iou, any other model candidate_iou."""

    def evaluate(predictor, tiles, **_):
        iou = base_iou if "tiny" in predictor.path.name else candidate_iou
        return {"binary_iou": iou, "iou": [iou] * 7, "classes": [f"seep {i}" for i in range(1, 8)], "tiles": len(tiles)}

    return evaluate
