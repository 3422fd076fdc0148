"""50 residual blocks with LayerNorm: normalise the branch input (Pre-LN) or the sum (Post-LN)."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 25
runs = {wiring: train(depth=50, width=32, activation="relu", init="he", norm="layer", residual=wiring,
                      optimizer="adam", learning_rate=1e-3, steps=STEPS, batch=16, seed=0)
        for wiring in ("pre-norm", "post-norm")}
for wiring, run in runs.items():
    print(f"{wiring:<9} loss at step 0: {loss_text(run.losses[0], '.3f')}   after {STEPS} steps: "
          f"{loss_text(run.losses[-1], '.3f')}   worst step-to-step change: {run.max_rise:+.0%}")
line(range(STEPS), [run.losses for run in runs.values()], names=["Pre-LN", "Post-LN"],
     title="50 residual blocks: where the LayerNorm sits", xlabel="step", ylabel="training loss")
