"""GELU's second-moment map, by quadrature: what one layer does to the pre-activation variance q."""
from instruments.deep_mlp import GELU_GAIN_SQ, gelu_second_moment


def next_q(q, gain):
    """q of the next layer when Var(W) = gain/n (EQ N1.3): gain * E[gelu(z)^2], z ~ N(0, q)."""
    return gain * gelu_second_moment(q)


print(f"E[gelu(z)^2] at q = 1: {gelu_second_moment(1.0):.4f}, so the gelu-scaled gain is {GELU_GAIN_SQ:.4f}")
slope = (next_q(1.001, GELU_GAIN_SQ) - next_q(0.999, GELU_GAIN_SQ)) / 0.002
print(f"q = 1 is a fixed point of that gain, with slope {slope:.3f}: a small excess grows")
for q in (0.01, 0.1, 1.0, 10.0, 100.0):
    print(f"  q = {q:<6}  one gelu-scaled layer multiplies q by {next_q(q, GELU_GAIN_SQ) / q:.4f},"
          f" one He layer by {next_q(q, 2.0) / q:.4f}")
for name, gain in (("gelu-scaled", GELU_GAIN_SQ), ("he", 2.0)):
    q = gain * 1.0                        # an input with E[x^2] = 1 gives q = gain at layer 1
    for layer in range(2, 31):
        q = next_q(q, gain)
    print(f"{name:<12} after 30 layers, by the map: E[h^2] = {gelu_second_moment(q):.3g}")
