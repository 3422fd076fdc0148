"""Una misma red ReLU de 24 capas entrenada tres veces: solo cambia la inicialización de los pesos."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 60
runs = {init: train(depth=24, width=32, activation="relu", init=init, optimizer="adam",
                    learning_rate=5e-4, steps=STEPS, batch=16, seed=0)
        for init in ("naive", "xavier", "he")}
for init, run in runs.items():
    print(f"{init:<7} pérdida en el paso 0: {loss_text(run.losses[0]):>9}   tras {STEPS} pasos: "
          f"{loss_text(run.losses[-1]):>9}   {run.outcome}")
print(f"una conjetura que ignora la entrada obtiene {runs['he'].baseline_loss:.3f}")
line(range(STEPS), [run.losses for run in runs.values()], names=["ingenua", "Xavier", "He"], log_y=True,
     title="24 capas ReLU, tres inicializaciones", xlabel="paso", ylabel="pérdida de entrenamiento")
