# Media y varianza a mano: no hace falta numpy.
import random

random.seed(0)
samples = [random.gauss(0.0, 2.0) for _ in range(10_000)]

mean = sum(samples) / len(samples)
variance = sum((s - mean) ** 2 for s in samples) / len(samples)
print(f"media    {mean:+.3f}   (valor esperado: 0)")
print(f"varianza {variance:.3f}   (valor esperado: 4)")

# Si la celda acaba en una expresión, se muestra su valor, como en un cuaderno:
round(variance ** 0.5, 3)
