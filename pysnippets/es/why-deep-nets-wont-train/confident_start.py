"""La pérdida antes de aprender: la referencia uniforme y una capa de salida al azar.

Una capa oculta de rasgos tanh alimenta una capa de salida de V logits (EQ L.2).
Puntuamos objetivos al azar con la entropía cruzada, a tres escalas de los pesos
de salida.
"""
import numpy as np

V, HIDDEN, BATCH = 27, 200, 1000        # 26 letras y la marca de fin de nombre
rng = np.random.default_rng(seed=0)
h = np.tanh(rng.standard_normal((BATCH, HIDDEN)))       # rasgos ocultos
targets = rng.integers(0, V, size=BATCH)                 # cualquier carácter vale
W = rng.standard_normal((HIDDEN, V))                      # pesos de salida, N(0, 1)

print(f"referencia uniforme -log(1/V) = {-np.log(1 / V):.4f}")
print("escala pesos  desv. logits  prob. favorito  pérdida")
for scale in (1.0, 0.1, 0.01):
    logits = h @ (scale * W)
    shifted = logits - logits.max(axis=1, keepdims=True)     # softmax estable
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(BATCH), targets]).mean()
    top = probs.max(axis=1).mean()
    print(f"{scale:12.2f} {logits.std():10.2f} {top:16.3f} {loss:6.3f}")
