"""Card: 30 ReLU layers of width 256, weights uniform on [-1, 1], no normalisation, no skips."""
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=30, width=256, activation="relu", init="uniform", norm="none",
               residual="none", optimizer="sgd", learning_rate=0.01, steps=50, batch=8, seed=SEED)
print(f"loss at step 0, before any update: {loss_text(result.losses[0])}")
print(f"a guess that ignores the input scores {result.baseline_loss:.3f}")
print(f"first step whose loss is not a finite number: {result.diverged_at_step}")
print(f"outcome: {result.outcome}")
