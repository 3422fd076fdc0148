"""50 ReLU layers, He init, no normalisation: a plain stack against residual blocks
whose branches start switched off (h + a F(h) with a = 0, the zero-init trick)."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 40
runs = {wiring: train(depth=50, width=32, activation="relu", init="he", residual=wiring,
                      optimizer="adam", learning_rate=1e-3, steps=STEPS, batch=16, seed=0)
        for wiring in ("none", "zero-init")}
for wiring, run in runs.items():
    print(f"{wiring:<9} loss at step 0: {loss_text(run.losses[0], '.3f')}   after {STEPS} steps: "
          f"{loss_text(run.losses[-1], '.3f')}   {run.outcome}")
print(f"a guess that ignores the input scores {runs['none'].baseline_loss:.3f}")
line(range(STEPS), [run.losses for run in runs.values()], names=["plain", "residual, zero-init"],
     title="50 ReLU layers, with and without skips", xlabel="step", ylabel="training loss")
