# Paseos aleatorios con pasos gaussianos de varianza 1: la dispersión crece como la raíz cuadrada del tiempo.
import random

from instruments.plot import histogram, line

random.seed(1)
steps, walkers = 100, 400
finals, spread = [], [0.0] * (steps + 1)
for _ in range(walkers):
    position = 0.0
    for t in range(1, steps + 1):
        position += random.gauss(0.0, 1.0)
        spread[t] += position * position / walkers
    finals.append(position)

ts = list(range(steps + 1))
line(ts, [[s ** 0.5 for s in spread], [t ** 0.5 for t in ts]], names=["medida", "√t"],
     title="Dispersión de 400 paseos aleatorios", xlabel="paso t", ylabel="raíz de la posición cuadrática media")
histogram(finals, bins=21, title="Dónde acaban los caminantes", xlabel="posición tras 100 pasos")
print(f"raíz de la posición cuadrática media tras {steps} pasos: {spread[-1] ** 0.5:.2f} (√{steps} = {steps ** 0.5:.0f})")
