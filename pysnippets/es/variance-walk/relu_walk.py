"""El paseo de la varianza: E[h^2] tras cada una de 30 capas ReLU (EQ N1.1, N1.3).

Los pesos salen de draw_weights, del motor de los laboratorios: las mismas inicializaciones que usan las celdas que entrenan.
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
        walk.append(np.mean(h * h))                       # el segundo momento E[h^2]
    walks[init] = walk
    per_layer = (walk[-1] / walk[0]) ** (1 / (DEPTH - 1))
    theory = WIDTH * weight_std(init, WIDTH, WIDTH) ** 2 / 2   # n Var(W), que la ReLU deja en la mitad
    print(f"{init:<8} E[h^2] capa 1: {walk[0]:9.3g}  capa {DEPTH}: {walk[-1]:9.3g}"
          f"  por capa x{per_layer:.3f} (teoría x{theory:.3f})")
line(range(1, DEPTH + 1), [np.log10(w) for w in walks.values()], names=["uniforme [-1, 1]", "Xavier", "He"],
     title="30 capas ReLU: el segundo momento por capa", xlabel="capa", ylabel="log10 E[h²]")
