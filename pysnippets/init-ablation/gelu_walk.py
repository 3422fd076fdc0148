"""The same walk simulated: 30 GELU layers of width 256, input E[x^2] = 1, three seeds.

Both inits share each seed's random matrices and differ only in their scale.
"""
import numpy as np
from instruments.deep_mlp import activate, weight_std

WIDTH, DEPTH, BATCH = 256, 30, 8
scale = {init: weight_std(init, WIDTH, WIDTH) for init in ("gelu-scaled", "he")}
finals = {init: [] for init in scale}
for seed in range(3):
    rng = np.random.default_rng(seed=seed)
    h = dict.fromkeys(scale, rng.standard_normal((BATCH, WIDTH), dtype=np.float32))
    for layer in range(DEPTH):
        G = rng.standard_normal((WIDTH, WIDTH), dtype=np.float32)
        h = {init: activate(h[init] @ (s * G), "gelu") for init, s in scale.items()}
    for init in scale:
        finals[init].append(np.mean(h[init] ** 2))
for init, values in finals.items():
    print(f"{init:<12} E[h^2] after {DEPTH} layers, seeds 0, 1, 2: "
          + ", ".join(f"{value:.3g}" for value in values))
