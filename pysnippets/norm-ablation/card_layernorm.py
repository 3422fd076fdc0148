"""Card: 24 ReLU layers of width 32, He init, LayerNorm before every ReLU, no skips, Adam at 0.016."""
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=24, width=32, activation="relu", init="he", norm="layer", residual="none",
               optimizer="adam", learning_rate=0.016, steps=40, batch=16, seed=SEED)
for step in (0, 10, 20, 30, 39):
    print(f"step {step:>2}: loss {loss_text(result.losses[step], '.3f')}")
print(f"a guess that ignores the input scores {result.baseline_loss:.3f}")
print(f"outcome: {result.outcome}")
