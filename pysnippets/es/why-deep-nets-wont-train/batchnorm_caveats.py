"""BatchNorm (EQ N1.6) ante pesos cinco veces mayores de la cuenta; y sus dos pegas."""
import numpy as np

def batch_norm(z, mean=None, var=None, eps=1e-5):
    """Estandariza cada rasgo con las estadísticas del lote, salvo que se den otras."""
    mean, var = (z.mean(axis=0), z.var(axis=0)) if mean is None else (mean, var)
    return (z - mean) / np.sqrt(var + eps)

rng = np.random.default_rng(seed=6)
W = 5.0 * rng.standard_normal((100, 100)) / np.sqrt(100)      # ganancia 5: excesiva
batch_a = rng.standard_normal((64, 100))
for name, z in (("a secas", batch_a @ W), ("con BatchNorm", batch_norm(batch_a @ W))):
    print(f"unidades saturadas, {name}: {np.mean(np.abs(np.tanh(z)) > 0.97):.1%}")

# Pega 1: el ejemplo 0 otra vez, en otro lote. Pega 2: estadísticas acumuladas (L.5).
batch_b = np.vstack([batch_a[:1], 0.5 + rng.standard_normal((63, 100))])
mean, var = np.zeros(100), np.ones(100)
for step in range(300):                                        # lotes de entrenamiento
    z = rng.standard_normal((64, 100)) @ W
    mean, var = 0.9 * mean + 0.1 * z.mean(axis=0), 0.9 * var + 0.1 * z.var(axis=0)
cases = {"en el lote A": batch_norm(batch_a @ W), "en el B": batch_norm(batch_b @ W),
         "solo, sus estadísticas": batch_norm(batch_a[:1] @ W),
         "solo, estadísticas acumuladas": batch_norm(batch_a[:1] @ W, mean, var)}
for name, z in cases.items():
    print(f"ejemplo 0, rasgos 1-3, {name + ':':30}", *(f"{v:+.3f}" for v in z[0, :3]))
