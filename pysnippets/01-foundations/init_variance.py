"""Activation variance across depth: naive vs Xavier vs He in a ReLU net.

A batch of unit-variance Gaussian inputs goes through DEPTH square ReLU
layers without bias (EQ N1.1). All three schemes share the same random
matrices and differ only in the scale of the weights (EQ N1.3-N1.5).
"""
import numpy as np
from instruments.plot import plot_xy

WIDTH, DEPTH, BATCH = 256, 25, 64
rng = np.random.default_rng(seed=1)
x = rng.standard_normal((BATCH, WIDTH))                  # layer 0: unit variance
G = rng.standard_normal((DEPTH, WIDTH, WIDTH))           # shared N(0, 1) draws

weight_std = {
    "naive": 1.0,                                        # Var(W) = 1
    "xavier": np.sqrt(1.0 / WIDTH),                      # Var(W) = 1/n
    "he": np.sqrt(2.0 / WIDTH),                          # Var(W) = 2/n
}


def relu_stack(std):
    """Variance and second moment of h^(0), ..., h^(DEPTH)."""
    h = x
    var, msq = [h.var()], [np.mean(h**2)]
    for layer in range(DEPTH):
        h = np.maximum(h @ (std * G[layer]), 0.0)  # EQ N1.1 (rows = examples), ReLU
        var.append(h.var())
        msq.append(np.mean(h**2))
    return var, msq


results = {name: relu_stack(std) for name, std in weight_std.items()}

print(f"Var(h) after each ReLU layer (width {WIDTH}, batch {BATCH})")
print(f"{'layer':>5} {'naive':>10} {'xavier':>10} {'he':>7} {'he E[h^2]':>10}")
for layer in (0, 1, 5, 10, DEPTH):
    naive, xavier = results["naive"][0][layer], results["xavier"][0][layer]
    he_var, he_msq = results["he"][0][layer], results["he"][1][layer]
    print(f"{layer:>5} {naive:>10.2e} {xavier:>10.2e} {he_var:>7.3f} {he_msq:>10.3f}")

print(f"second moment E[h^2], average factor per layer (layers 1 to {DEPTH}):")
for name, (_, msq) in results.items():
    factor = (msq[DEPTH] / msq[1]) ** (1.0 / (DEPTH - 1))
    print(f"  {name:<6} x {factor:.3f}")

he_var = results["he"][0]
plot_xy(range(DEPTH + 1), he_var, title="He init, ReLU: activation variance by layer",
        xlabel="layer", ylabel="Var(h)")
