"""Models, losses, augmentation, training, metrics and inference."""
