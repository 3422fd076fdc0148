"""La aplicación del segundo momento de GELU, por cuadratura: qué hace una capa con la varianza q de la preactivación."""
from instruments.deep_mlp import GELU_GAIN_SQ, gelu_second_moment


def next_q(q, gain):
    """q de la capa siguiente cuando Var(W) = gain/n (EQ N1.3): gain * E[gelu(z)^2], z ~ N(0, q)."""
    return gain * gelu_second_moment(q)


print(f"E[gelu(z)^2] en q = 1: {gelu_second_moment(1.0):.4f}, así que la ganancia gelu-scaled es {GELU_GAIN_SQ:.4f}")
slope = (next_q(1.001, GELU_GAIN_SQ) - next_q(0.999, GELU_GAIN_SQ)) / 0.002
print(f"q = 1 es un punto fijo de esa ganancia, con pendiente {slope:.3f}: un pequeño exceso crece")
for q in (0.01, 0.1, 1.0, 10.0, 100.0):
    print(f"  q = {q:<6}  una capa gelu-scaled multiplica q por {next_q(q, GELU_GAIN_SQ) / q:.4f},"
          f" una capa He por {next_q(q, 2.0) / q:.4f}")
for name, gain in (("gelu-scaled", GELU_GAIN_SQ), ("he", 2.0)):
    q = gain * 1.0                        # una entrada con E[x^2] = 1 da q = gain en la capa 1
    for layer in range(2, 31):
        q = next_q(q, gain)
    print(f"{name:<12} tras 30 capas, según la aplicación: E[h^2] = {gelu_second_moment(q):.3g}")
