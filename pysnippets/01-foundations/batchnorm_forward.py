"""Forward pass through a He-initialised ReLU stack, without and with BatchNorm.

Both runs use the same input batch and the same weights; the only
difference is a batch-norm step (EQ N1.6, gamma = 1, beta = 0) on the
pre-activations of every layer.
"""
import numpy as np

WIDTH, DEPTH, BATCH = 128, 12, 512
SCALE = 1.0        # multiplies every He weight; try 1.5 or 0.5
rng = np.random.default_rng(seed=2)
x = rng.standard_normal((BATCH, WIDTH))
weights = SCALE * np.sqrt(2.0 / WIDTH) * rng.standard_normal((DEPTH, WIDTH, WIDTH))


def batch_norm(z, eps=1e-5):
    """Standardise each feature over the batch (biased 1/m variance)."""
    mu = z.mean(axis=0)
    var = z.var(axis=0)
    return (z - mu) / np.sqrt(var + eps)


def activation_stats(use_bn):
    """(mean, std) of the ReLU outputs after each of the DEPTH layers."""
    h, stats = x, []
    for W in weights:
        z = h @ W
        if use_bn:
            z = batch_norm(z)
        h = np.maximum(z, 0.0)
        stats.append((h.mean(), h.std()))
    return stats


plain = activation_stats(use_bn=False)
normed = activation_stats(use_bn=True)

print(f"ReLU outputs, width {WIDTH}, batch {BATCH}, weight scale {SCALE} x He")
print("layer    no BN: mean    std     with BN: mean    std")
for layer in (1, 4, 8, 12):
    (pm, ps), (bm, bs) = plain[layer - 1], normed[layer - 1]
    print(f"{layer:>5}        {pm:7.3f} {ps:7.3f}            {bm:7.3f} {bs:7.3f}")

print(f"ReLU of a standard normal: mean {1 / np.sqrt(2 * np.pi):.3f}, "
      f"std {np.sqrt(0.5 - 0.5 / np.pi):.3f}")
