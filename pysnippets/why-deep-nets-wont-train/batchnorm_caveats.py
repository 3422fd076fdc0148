"""BatchNorm (EQ N1.6) against weights five times too large; then its two caveats."""
import numpy as np

def batch_norm(z, mean=None, var=None, eps=1e-5):
    """Standardise each feature, with the batch's own statistics unless given others."""
    mean, var = (z.mean(axis=0), z.var(axis=0)) if mean is None else (mean, var)
    return (z - mean) / np.sqrt(var + eps)

rng = np.random.default_rng(seed=6)
W = 5.0 * rng.standard_normal((100, 100)) / np.sqrt(100)      # gain 5: far too large
batch_a = rng.standard_normal((64, 100))
for name, z in (("plain", batch_a @ W), ("with BatchNorm", batch_norm(batch_a @ W))):
    print(f"saturated units, {name}: {np.mean(np.abs(np.tanh(z)) > 0.97):.1%}")

# Caveat 1: example 0 again, in another batch. Caveat 2: running statistics (EQ L.5).
batch_b = np.vstack([batch_a[:1], 0.5 + rng.standard_normal((63, 100))])
mean, var = np.zeros(100), np.ones(100)
for step in range(300):                                        # training batches
    z = rng.standard_normal((64, 100)) @ W
    mean, var = 0.9 * mean + 0.1 * z.mean(axis=0), 0.9 * var + 0.1 * z.var(axis=0)
cases = {"in batch A": batch_norm(batch_a @ W), "in batch B": batch_norm(batch_b @ W),
         "alone, own statistics": batch_norm(batch_a[:1] @ W),
         "alone, running statistics": batch_norm(batch_a[:1] @ W, mean, var)}
for name, z in cases.items():
    print(f"example 0, features 1-3, {name + ':':27}", *(f"{v:+.3f}" for v in z[0, :3]))
