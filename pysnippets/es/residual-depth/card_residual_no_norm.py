"""Tarjeta: 50 capas ReLU de anchura 32, inicialización He, un atajo alrededor de cada bloque (h + F(h)), sin normalización."""
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=50, width=32, activation="relu", init="he", norm="none", residual="pre-norm",
               optimizer="adam", learning_rate=1e-3, steps=40, batch=16, seed=SEED)
for step in (0, 10, 20, 39):
    print(f"paso {step:>2}: pérdida {loss_text(result.losses[step])}")
print(f"una conjetura que ignora la entrada obtiene {result.baseline_loss:.3f}")
print(f"resultado: {result.outcome}")
