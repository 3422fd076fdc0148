"""Histogramas de activaciones, capa a capa: el diagnóstico de la saturación.

Un MLP tanh de LAYERS capas ocultas recibe un lote gaussiano. Sus pesos son
GAIN / sqrt(fan-in) por N(0, 1) (EQ L.4); GAIN = 5.0 es demasiado grande.
"""
import numpy as np
from instruments.plot import line

LAYERS, WIDTH, BATCH, GAIN = 5, 100, 500, 5.0
rng = np.random.default_rng(seed=4)
h = rng.standard_normal((BATCH, WIDTH))
edges = np.linspace(-1, 1, 41)               # 40 intervalos sobre el recorrido de tanh
centres, shares = (edges[:-1] + edges[1:]) / 2, []

print(" capa  desv.  saturadas  media 1 - tanh^2")
for layer in range(1, LAYERS + 1):
    h = np.tanh(h @ (rng.standard_normal((WIDTH, WIDTH)) * GAIN / np.sqrt(WIDTH)))
    counts, _ = np.histogram(h, bins=edges)
    shares.append(counts / h.size)
    saturated, slope = np.mean(np.abs(h) > 0.97), np.mean(1 - h**2)
    print(f"{layer:>5} {h.std():5.2f} {saturated:10.1%} {slope:16.3f}")

line(centres, shares, names=[f"capa {k}" for k in range(1, LAYERS + 1)],
     markers=False, title=f"salidas de tanh por capa, ganancia {GAIN:.3g}",
     xlabel="salida de tanh", ylabel="fracción de unidades")
