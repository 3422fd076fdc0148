"""Varianza de las activaciones según la profundidad: ingenua, Xavier y He en una red ReLU.

Un lote de entradas gaussianas de varianza 1 recorre DEPTH capas ReLU
cuadradas y sin sesgo (EQ N1.1). Los tres esquemas usan las mismas matrices
aleatorias; lo único que cambia es la escala de los pesos (EQ N1.3-N1.5).
"""
import numpy as np
from instruments.plot import plot_xy

WIDTH, DEPTH, BATCH = 256, 25, 64
rng = np.random.default_rng(seed=1)
x = rng.standard_normal((BATCH, WIDTH))                  # capa 0: varianza 1
G = rng.standard_normal((DEPTH, WIDTH, WIDTH))           # muestras N(0, 1) comunes a los tres

weight_std = {
    "ingenua": 1.0,                                      # Var(W) = 1
    "xavier": np.sqrt(1.0 / WIDTH),                      # Var(W) = 1/n
    "he": np.sqrt(2.0 / WIDTH),                          # Var(W) = 2/n
}


def relu_stack(std):
    """Varianza y segundo momento de h^(0), ..., h^(DEPTH)."""
    h = x
    var, msq = [h.var()], [np.mean(h**2)]
    for layer in range(DEPTH):
        h = np.maximum(h @ (std * G[layer]), 0.0)  # EQ N1.1 (filas = ejemplos), ReLU
        var.append(h.var())
        msq.append(np.mean(h**2))
    return var, msq


results = {name: relu_stack(std) for name, std in weight_std.items()}

print(f"Var(h) tras cada capa ReLU (anchura {WIDTH}, lote {BATCH})")
print(f"{'capa':>5} {'ingenua':>10} {'xavier':>10} {'he':>7} {'he E[h^2]':>10}")
for layer in (0, 1, 5, 10, DEPTH):
    naive, xavier = results["ingenua"][0][layer], results["xavier"][0][layer]
    he_var, he_msq = results["he"][0][layer], results["he"][1][layer]
    print(f"{layer:>5} {naive:>10.2e} {xavier:>10.2e} {he_var:>7.3f} {he_msq:>10.3f}")

print(f"segundo momento E[h^2], factor medio por capa (de la capa 1 a la {DEPTH}):")
for name, (_, msq) in results.items():
    factor = (msq[DEPTH] / msq[1]) ** (1.0 / (DEPTH - 1))
    print(f"  {name:<7} x {factor:.3f}")

he_var = results["he"][0]
plot_xy(range(DEPTH + 1), he_var, title="Inicialización He, ReLU: varianza de la activación por capa",
        xlabel="capa", ylabel="Var(h)")
