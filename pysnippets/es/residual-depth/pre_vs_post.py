"""50 bloques residuales con LayerNorm: normalizar la entrada de la rama (Pre-LN) o la suma (Post-LN)."""
from instruments.deep_mlp import loss_text, train
from instruments.plot import line

STEPS = 25
runs = {wiring: train(depth=50, width=32, activation="relu", init="he", norm="layer", residual=wiring,
                      optimizer="adam", learning_rate=1e-3, steps=STEPS, batch=16, seed=0)
        for wiring in ("pre-norm", "post-norm")}
for wiring, run in runs.items():
    print(f"{wiring:<9} pérdida en el paso 0: {loss_text(run.losses[0], '.3f')}   tras {STEPS} pasos: "
          f"{loss_text(run.losses[-1], '.3f')}   peor cambio de un paso al siguiente: {run.max_rise:+.0%}")
line(range(STEPS), [run.losses for run in runs.values()], names=["Pre-LN", "Post-LN"],
     title="50 bloques residuales: dónde va la LayerNorm", xlabel="paso", ylabel="pérdida de entrenamiento")
