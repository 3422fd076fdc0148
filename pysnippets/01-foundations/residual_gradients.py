"""Gradient norm carried back through 50 random blocks: plain vs residual.

Each block Jacobian J_k has i.i.d. N(0, GAIN/WIDTH) entries, so a plain
layer multiplies the expected squared gradient norm by GAIN (EQ N1.2) and
a residual layer I + alpha J_k multiplies it by 1 + alpha^2 GAIN (EQ N1.8).
"""
import numpy as np
from instruments.plot import plot_xy

WIDTH, DEPTH, GAIN = 64, 50, 0.7
rng = np.random.default_rng(seed=3)
J = np.sqrt(GAIN / WIDTH) * rng.standard_normal((DEPTH, WIDTH, WIDTH))
g_out = rng.standard_normal(WIDTH)
g_out /= np.linalg.norm(g_out)                   # unit gradient at the output


def grad_norms(alpha=None):
    """||dL/dh_l|| for l = 0..DEPTH; alpha=None is the plain stack."""
    g, norms = g_out, [1.0]
    for Jk in J[::-1]:                            # from the output backwards
        back = Jk.T @ g                           # vector-Jacobian product
        g = back if alpha is None else g + alpha * back
        norms.append(np.linalg.norm(g))
    return norms[::-1]                            # index 0 = input layer


plain = grad_norms()
residual = grad_norms(alpha=1.0)
scaled = grad_norms(alpha=1.0 / np.sqrt(DEPTH))

print(f"gradient norm at the input, {DEPTH} blocks, width {WIDTH}, gain {GAIN}")
print(f"{'':26} {'measured':>10} {'sqrt(E|g|^2)':>13}")
rows = [("plain  (product of J)", plain[0], GAIN ** (DEPTH / 2)),
        ("residual (I + J)", residual[0], (1 + GAIN) ** (DEPTH / 2)),
        ("residual (I + J/sqrt(L))", scaled[0], (1 + GAIN / DEPTH) ** (DEPTH / 2))]
for label, measured, theory in rows:
    print(f"{label:<26} {measured:>10.3e} {theory:>13.3e}")
print(f"ratio residual / plain: {residual[0] / plain[0]:.2e}")

plot_xy(range(DEPTH + 1), np.log10(plain), title="Plain stack: log10 gradient norm by layer",
        xlabel="layer (0 = input)", ylabel="log10 ||dL/dh||")
