"""Norma del gradiente devuelta a través de 50 bloques aleatorios: red plana frente a residual.

Cada jacobiana de bloque J_k tiene entradas i.i.d. N(0, GAIN/WIDTH), de modo
que una capa plana multiplica la norma cuadrática esperada del gradiente por
GAIN (EQ N1.2) y una capa residual I + alpha J_k la multiplica por
1 + alpha^2 GAIN (EQ N1.8).
"""
import numpy as np
from instruments.plot import plot_xy

WIDTH, DEPTH, GAIN = 64, 50, 0.7
rng = np.random.default_rng(seed=3)
J = np.sqrt(GAIN / WIDTH) * rng.standard_normal((DEPTH, WIDTH, WIDTH))
g_out = rng.standard_normal(WIDTH)
g_out /= np.linalg.norm(g_out)                   # gradiente de norma 1 en la salida


def grad_norms(alpha=None):
    """||dL/dh_l|| para l = 0..DEPTH; alpha=None es la pila plana."""
    g, norms = g_out, [1.0]
    for Jk in J[::-1]:                            # de la salida hacia atrás
        back = Jk.T @ g                           # producto vector-jacobiana
        g = back if alpha is None else g + alpha * back
        norms.append(np.linalg.norm(g))
    return norms[::-1]                            # índice 0 = capa de entrada


plain = grad_norms()
residual = grad_norms(alpha=1.0)
scaled = grad_norms(alpha=1.0 / np.sqrt(DEPTH))

print(f"norma del gradiente en la entrada, {DEPTH} bloques, anchura {WIDTH}, ganancia {GAIN}")
print(f"{'':26} {'medida':>10} {'sqrt(E|g|^2)':>13}")
rows = [("plana (producto de las J)", plain[0], GAIN ** (DEPTH / 2)),
        ("residual (I + J)", residual[0], (1 + GAIN) ** (DEPTH / 2)),
        ("residual (I + J/sqrt(L))", scaled[0], (1 + GAIN / DEPTH) ** (DEPTH / 2))]
for label, measured, theory in rows:
    print(f"{label:<26} {measured:>10.3e} {theory:>13.3e}")
print(f"cociente residual / plana: {residual[0] / plain[0]:.2e}")

plot_xy(range(DEPTH + 1), np.log10(plain), title="Pila plana: log10 de la norma del gradiente por capa",
        xlabel="capa (0 = entrada)", ylabel="log10 ||dL/dh||")
