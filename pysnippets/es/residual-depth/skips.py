"""50 capas ReLU, inicialización He, sin normalización: una pila plana frente a bloques residuales
cuyas ramas empiezan apagadas (h + a F(h) con a = 0, el truco del inicio en cero)."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 40
runs = {wiring: train(depth=50, width=32, activation="relu", init="he", residual=wiring,
                      optimizer="adam", learning_rate=1e-3, steps=STEPS, batch=16, seed=0)
        for wiring in ("none", "zero-init")}
for wiring, run in runs.items():
    print(f"{wiring:<9} pérdida en el paso 0: {loss_text(run.losses[0], '.3f')}   tras {STEPS} pasos: "
          f"{loss_text(run.losses[-1], '.3f')}   {run.outcome}")
print(f"una conjetura que ignora la entrada obtiene {runs['none'].baseline_loss:.3f}")
line(range(STEPS), [run.losses for run in runs.values()], names=["plana", "residual, inicio en cero"],
     title="50 capas ReLU, con y sin atajos", xlabel="paso", ylabel="pérdida de entrenamiento")
