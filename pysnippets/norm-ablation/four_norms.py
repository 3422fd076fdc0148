"""The init ablation's naive network (weights N(0, 1)), normalised four ways before each ReLU."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 40
runs = {norm: train(depth=24, width=32, activation="relu", init="naive", norm=norm,
                    optimizer="adam", learning_rate=5e-3, steps=STEPS, batch=16, seed=0)
        for norm in ("none", "batch", "layer", "rms")}
for norm, run in runs.items():
    print(f"{norm:<6} loss at step 0: {loss_text(run.losses[0]):>9}   after {STEPS} steps: "
          f"{loss_text(run.losses[-1]):>9}   {run.outcome}")
print(f"a guess that ignores the input scores {runs['rms'].baseline_loss:.3f}")
line(range(STEPS), [run.losses for run in runs.values()], names=["no norm", "BatchNorm", "LayerNorm", "RMSNorm"], log_y=True,
     title="Naive init, 24 ReLU layers: four normalisations", xlabel="step", ylabel="training loss")
