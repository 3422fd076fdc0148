"""Los bloques con inicio en cero empiezan siendo la identidad: el primer gradiente llega a cada puerta y a ningún peso de rama."""
import numpy as np
from dataclasses import replace
from instruments.deep_mlp import Config, init_params, loss_and_grads, make_task

cfg = Config(depth=50, width=32, activation="relu", init="he", norm="layer", residual="zero-init")
x, labels = make_task(cfg)
params = init_params(cfg)
loss, grads = loss_and_grads(params, x, labels, cfg)
branch = max(np.abs(grads[f"W{l}"]).max() for l in range(1, cfg.depth + 1))
gates = [abs(grads[f"gate{l}"].item()) for l in range(1, cfg.depth + 1)]
print(f"mayor gradiente en cualquier peso de rama W1..W50: {branch}")
print(f"gradiente en las 50 puertas: el menor {min(gates):.2e}, el mayor {max(gates):.2e}")
# Las mismas capas de entrada y de salida alrededor de un solo bloque con inicio en cero, en vez de cincuenta:
one_block = replace(cfg, depth=1)
shallow = init_params(one_block)
shallow.update({k: v for k, v in params.items() if not k[-1].isdigit()})
print(f"pérdida en el paso 0 con 50 bloques: {loss:.6f}; con 1 bloque: {loss_and_grads(shallow, x, labels, one_block)[0]:.6f}")
