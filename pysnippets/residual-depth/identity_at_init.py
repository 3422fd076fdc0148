"""Zero-init blocks start as the identity: the first gradient reaches every gate, no branch weight."""
import numpy as np
from dataclasses import replace
from instruments.deep_mlp import Config, init_params, loss_and_grads, make_task

cfg = Config(depth=50, width=32, activation="relu", init="he", norm="layer", residual="zero-init")
x, labels = make_task(cfg)
params = init_params(cfg)
loss, grads = loss_and_grads(params, x, labels, cfg)
branch = max(np.abs(grads[f"W{l}"]).max() for l in range(1, cfg.depth + 1))
gates = [abs(grads[f"gate{l}"].item()) for l in range(1, cfg.depth + 1)]
print(f"largest gradient on any branch weight W1..W50: {branch}")
print(f"gradient on the 50 gates: smallest {min(gates):.2e}, largest {max(gates):.2e}")
# The same input and output layers around one zero-init block instead of fifty:
one_block = replace(cfg, depth=1)
shallow = init_params(one_block)
shallow.update({k: v for k, v in params.items() if not k[-1].isdigit()})
print(f"loss at step 0 with 50 blocks: {loss:.6f}; with 1 block: {loss_and_grads(shallow, x, labels, one_block)[0]:.6f}")
