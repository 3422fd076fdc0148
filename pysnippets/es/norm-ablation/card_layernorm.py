"""Tarjeta: 24 capas ReLU de anchura 32, inicialización He, LayerNorm antes de cada ReLU, sin atajos, Adam a 0.016."""
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=24, width=32, activation="relu", init="he", norm="layer", residual="none",
               optimizer="adam", learning_rate=0.016, steps=40, batch=16, seed=SEED)
for step in (0, 10, 20, 30, 39):
    print(f"paso {step:>2}: pérdida {loss_text(result.losses[step], '.3f')}")
print(f"una conjetura que ignora la entrada obtiene {result.baseline_loss:.3f}")
print(f"resultado: {result.outcome}")
