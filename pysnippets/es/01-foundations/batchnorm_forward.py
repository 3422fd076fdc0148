"""Pase hacia delante por una pila ReLU con inicialización He, sin BatchNorm y con ella.

Las dos pasadas usan el mismo lote de entrada y los mismos pesos; solo se
diferencian en un paso de normalización por lotes (EQ N1.6, gamma = 1,
beta = 0) aplicado a las preactivaciones de cada capa.
"""
import numpy as np

WIDTH, DEPTH, BATCH = 128, 12, 512
SCALE = 1.0        # multiplica todos los pesos He; prueba con 1.5 o 0.5
rng = np.random.default_rng(seed=2)
x = rng.standard_normal((BATCH, WIDTH))
weights = SCALE * np.sqrt(2.0 / WIDTH) * rng.standard_normal((DEPTH, WIDTH, WIDTH))


def batch_norm(z, eps=1e-5):
    """Estandariza cada característica sobre el lote (varianza sesgada, 1/m)."""
    mu = z.mean(axis=0)
    var = z.var(axis=0)
    return (z - mu) / np.sqrt(var + eps)


def activation_stats(use_bn):
    """(media, desviación típica) de las salidas ReLU tras cada una de las DEPTH capas."""
    h, stats = x, []
    for W in weights:
        z = h @ W
        if use_bn:
            z = batch_norm(z)
        h = np.maximum(z, 0.0)
        stats.append((h.mean(), h.std()))
    return stats


plain = activation_stats(use_bn=False)
normed = activation_stats(use_bn=True)

print(f"Salidas ReLU, anchura {WIDTH}, lote {BATCH}, escala de los pesos {SCALE} x He")
print("capa     sin BN: media   desv.      con BN: media   desv.")
for layer in (1, 4, 8, 12):
    (pm, ps), (bm, bs) = plain[layer - 1], normed[layer - 1]
    print(f"{layer:>5}        {pm:7.3f} {ps:7.3f}            {bm:7.3f} {bs:7.3f}")

print(f"ReLU de una normal estándar: media {1 / np.sqrt(2 * np.pi):.3f}, "
      f"desv. típica {np.sqrt(0.5 - 0.5 / np.pi):.3f}")
