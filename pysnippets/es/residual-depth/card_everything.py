"""Tarjeta: 30 capas GELU de anchura 256, RMSNorm antes de cada bloque (Pre-LN), un atajo alrededor
de cada bloque, pesos escalados para GELU; Adam durante 6 pasos (pon STEPS = 40 para ver más)."""
from instruments.deep_mlp import loss_text, train

SEED = 0
STEPS = 6
result = train(depth=30, width=256, activation="gelu", init="gelu-scaled", norm="rms",
               residual="pre-norm", optimizer="adam", learning_rate=1e-3, steps=STEPS, batch=8, seed=SEED)
for step, loss in enumerate(result.losses):
    print(f"paso {step}: pérdida {loss_text(loss, '.3f')}")
rise = result.max_rise                    # None cuando no hay un segundo paso con el que comparar
if rise is not None:
    print(f"cada paso redujo la pérdida un {-rise:.0%} o más" if rise < 0 else f"mayor subida de un paso al siguiente: {rise:.0%}")
print(f"una conjetura que ignora la entrada obtiene {result.baseline_loss:.3f}")
print(f"resultado: {result.outcome}")
