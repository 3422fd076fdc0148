"""Card: 30 GELU layers of width 64, no normalisation, no skips, the init scaled for GELU."""
import math
from instruments.deep_mlp import loss_text, train

SEED = 0
result = train(depth=30, width=64, activation="gelu", init="gelu-scaled", norm="none",
               residual="none", optimizer="sgd", learning_rate=0.05, steps=50, batch=16, seed=SEED)
print(f"loss at step 0: {loss_text(result.losses[0])}   (a uniform guess over 10 classes: {math.log(10):.3f})")
for step, loss in enumerate(result.losses[:6]):
    print(f"  step {step}: {loss_text(loss)}")
print(f"first step whose loss is not a finite number: {result.diverged_at_step}")
print(f"outcome: {result.outcome}")
