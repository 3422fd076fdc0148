"""La red ingenua de la ablación de inicializaciones (pesos N(0, 1)), normalizada de cuatro maneras antes de cada ReLU."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 40
runs = {norm: train(depth=24, width=32, activation="relu", init="naive", norm=norm,
                    optimizer="adam", learning_rate=5e-3, steps=STEPS, batch=16, seed=0)
        for norm in ("none", "batch", "layer", "rms")}
for norm, run in runs.items():
    print(f"{norm:<6} pérdida en el paso 0: {loss_text(run.losses[0]):>9}   tras {STEPS} pasos: "
          f"{loss_text(run.losses[-1]):>9}   {run.outcome}")
print(f"una conjetura que ignora la entrada obtiene {runs['rms'].baseline_loss:.3f}")
line(range(STEPS), [run.losses for run in runs.values()], names=["sin normalización", "BatchNorm", "LayerNorm", "RMSNorm"], log_y=True,
     title="Inicialización ingenua, 24 capas ReLU: cuatro normalizaciones", xlabel="paso", ylabel="pérdida de entrenamiento")
