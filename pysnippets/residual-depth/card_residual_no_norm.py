"""Card: 50 ReLU layers of width 32, He init, a skip around every block (h + F(h)), no normalisation."""
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=50, width=32, activation="relu", init="he", norm="none", residual="pre-norm",
               optimizer="adam", learning_rate=1e-3, steps=40, batch=16, seed=SEED)
for step in (0, 10, 20, 39):
    print(f"step {step:>2}: loss {loss_text(result.losses[step])}")
print(f"a guess that ignores the input scores {result.baseline_loss:.3f}")
print(f"outcome: {result.outcome}")
