"""Card: 30 GELU layers of width 256, RMSNorm before each block (Pre-LN), a skip around
every block, weights scaled for GELU; Adam for 6 steps (set STEPS = 40 for a longer look)."""
from instruments.deep_mlp import loss_text, train

SEED = 0
STEPS = 6
result = train(depth=30, width=256, activation="gelu", init="gelu-scaled", norm="rms",
               residual="pre-norm", optimizer="adam", learning_rate=1e-3, steps=STEPS, batch=8, seed=SEED)
for step, loss in enumerate(result.losses):
    print(f"step {step}: loss {loss_text(loss, '.3f')}")
rise = result.max_rise                    # None when there is no second step to compare
if rise is not None:
    print(f"every step lowered the loss by {-rise:.0%} or more" if rise < 0 else f"worst step-to-step rise: {rise:.0%}")
print(f"a guess that ignores the input scores {result.baseline_loss:.3f}")
print(f"outcome: {result.outcome}")
