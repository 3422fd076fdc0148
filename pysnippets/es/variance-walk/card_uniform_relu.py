"""Tarjeta: 30 capas ReLU de anchura 256, pesos uniformes en [-1, 1], sin normalización y sin atajos."""
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=30, width=256, activation="relu", init="uniform", norm="none",
               residual="none", optimizer="sgd", learning_rate=0.01, steps=50, batch=8, seed=SEED)
print(f"pérdida en el paso 0, antes de cualquier actualización: {loss_text(result.losses[0])}")
print(f"una conjetura que ignora la entrada obtiene {result.baseline_loss:.3f}")
print(f"primer paso cuya pérdida no es un número finito: {result.diverged_at_step}")
print(f"resultado: {result.outcome}")
