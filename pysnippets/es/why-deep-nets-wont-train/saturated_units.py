"""Cuánto gradiente deja pasar tanh (EQ L.3), y unidades que no dejan pasar nada.

Una capa con sesgos grandes clava algunas unidades en una cola plana para
todos los ejemplos del lote: esas unidades son neuronas muertas."""
import numpy as np

for z in (0.0, 1.0, 2.0, 3.0, 4.0):
    t = np.tanh(z)
    print(f"z = {z:.0f}   tanh(z) = {t:.4f}   1 - tanh(z)^2 = {1 - t**2:.4f}")

FAN_IN, UNITS, BATCH = 30, 100, 32
rng = np.random.default_rng(seed=3)
x = rng.standard_normal((BATCH, FAN_IN))
W = rng.standard_normal((FAN_IN, UNITS)) / np.sqrt(FAN_IN)   # x @ W ~ N(0, 1)
b = 4.0 * rng.standard_normal(UNITS)                         # sesgos demasiado grandes
h = np.tanh(x @ W + b)

saturated = np.abs(h) > 0.97                 # por ejemplo y unidad
dead = saturated.all(axis=0)                 # saturada en todos los ejemplos
print(f"salidas saturadas: {saturated.mean():.1%} de la capa")
print(f"unidades muertas (saturadas en los {BATCH} ejemplos): {dead.sum()} de {UNITS}")
pass_through = (1 - h**2).mean(axis=0)       # factor de gradiente de cada unidad
for name, units in (("unidades vivas", ~dead), ("unidades muertas", dead)):
    if units.any():
        print(f"{name}: media de 1 - tanh^2 = {pass_through[units].mean():.4f}")
