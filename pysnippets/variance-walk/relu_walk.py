"""The variance walk: E[h^2] after each of 30 ReLU layers (EQ N1.1, N1.3).

Weights come from the lab engine's draw_weights: the very inits the training cells use.
"""
import numpy as np
from instruments.deep_mlp import draw_weights, weight_std
from instruments.plot import line

WIDTH, DEPTH, BATCH = 256, 30, 16
rng = np.random.default_rng(seed=0)
x = rng.standard_normal((BATCH, WIDTH))                   # E[x^2] = 1
walks = {}
for init in ("uniform", "xavier", "he"):
    h, walk = x, []
    for layer in range(DEPTH):
        h = np.maximum(h @ draw_weights(rng, init, WIDTH, WIDTH), 0.0)
        walk.append(np.mean(h * h))                       # the second moment E[h^2]
    walks[init] = walk
    per_layer = (walk[-1] / walk[0]) ** (1 / (DEPTH - 1))
    theory = WIDTH * weight_std(init, WIDTH, WIDTH) ** 2 / 2   # n Var(W), halved by the ReLU
    print(f"{init:<8} E[h^2] layer 1: {walk[0]:9.3g}  layer {DEPTH}: {walk[-1]:9.3g}"
          f"  per layer x{per_layer:.3f} (theory x{theory:.3f})")
line(range(1, DEPTH + 1), [np.log10(w) for w in walks.values()], names=["uniform [-1, 1]", "Xavier", "He"],
     title="30 ReLU layers: the second moment by layer", xlabel="layer", ylabel="log10 E[h²]")
