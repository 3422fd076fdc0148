"""El mismo paseo, simulado: 30 capas GELU de anchura 256, entrada con E[x^2] = 1, tres semillas.

Las dos inicializaciones comparten las matrices aleatorias de cada semilla y solo difieren en su escala.
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
    print(f"{init:<12} E[h^2] tras {DEPTH} capas, semillas 0, 1, 2: "
          + ", ".join(f"{value:.3g}" for value in values))
