"""How much gradient tanh lets through (EQ L.3), and units that let none through.

A layer with large biases pins some units in a flat tail for every example
in the batch: those units are dead."""
import numpy as np

for z in (0.0, 1.0, 2.0, 3.0, 4.0):
    t = np.tanh(z)
    print(f"z = {z:.0f}   tanh(z) = {t:.4f}   1 - tanh(z)^2 = {1 - t**2:.4f}")

FAN_IN, UNITS, BATCH = 30, 100, 32
rng = np.random.default_rng(seed=3)
x = rng.standard_normal((BATCH, FAN_IN))
W = rng.standard_normal((FAN_IN, UNITS)) / np.sqrt(FAN_IN)   # x @ W ~ N(0, 1)
b = 4.0 * rng.standard_normal(UNITS)                         # biases far too large
h = np.tanh(x @ W + b)

saturated = np.abs(h) > 0.97                 # per example and unit
dead = saturated.all(axis=0)                 # saturated on every example
print(f"saturated outputs: {saturated.mean():.1%} of the layer")
print(f"dead units (saturated on all {BATCH} examples): {dead.sum()} of {UNITS}")
pass_through = (1 - h**2).mean(axis=0)       # each unit's gradient factor
for name, units in (("live", ~dead), ("dead", dead)):
    if units.any():
        print(f"{name} units: mean 1 - tanh^2 = {pass_through[units].mean():.4f}")
