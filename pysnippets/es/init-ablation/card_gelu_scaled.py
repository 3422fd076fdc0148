"""Tarjeta: 30 capas GELU de anchura 64, sin normalización ni atajos, con la inicialización escalada para GELU."""
import math
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=30, width=64, activation="gelu", init="gelu-scaled", norm="none",
               residual="none", optimizer="sgd", learning_rate=0.05, steps=50, batch=16, seed=SEED)
print(f"pérdida en el paso 0: {loss_text(result.losses[0])}   (una conjetura uniforme entre 10 clases: {math.log(10):.3f})")
for step, loss in enumerate(result.losses[:6]):
    print(f"  paso {step}: {loss_text(loss)}")
print(f"primer paso cuya pérdida no es un número finito: {result.diverged_at_step}")
print(f"resultado: {result.outcome}")
