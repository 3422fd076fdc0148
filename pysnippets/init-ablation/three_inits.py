"""One 24-layer ReLU network trained three times: only the weight initialisation changes."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 60
runs = {init: train(depth=24, width=32, activation="relu", init=init, optimizer="adam",
                    learning_rate=5e-4, steps=STEPS, batch=16, seed=0)
        for init in ("naive", "xavier", "he")}
for init, run in runs.items():
    print(f"{init:<7} loss at step 0: {loss_text(run.losses[0]):>9}   after {STEPS} steps: "
          f"{loss_text(run.losses[-1]):>9}   {run.outcome}")
print(f"a guess that ignores the input scores {runs['he'].baseline_loss:.3f}")
line(range(STEPS), [run.losses for run in runs.values()], names=["naive", "Xavier", "He"], log_y=True,
     title="24 ReLU layers, three inits", xlabel="step", ylabel="training loss")
