"""Lo que cuesta cada normalización, contado al ejecutar el propio código del motor (hacia delante y hacia atrás)."""
import numpy as np
from instruments.deep_mlp import norm_backward, norm_forward
from instruments.op_count import count_ops

BATCH, WIDTH = 64, 256
rng = np.random.default_rng(seed=0)
x, d_out = rng.standard_normal((2, BATCH, WIDTH), dtype=np.float32)
gamma, beta = np.ones((1, WIDTH), np.float32), np.zeros((1, WIDTH), np.float32)
print(f"por ejemplo de anchura {WIDTH}, float32, NumPy tal como está escrito (una pasada por operación):")
cost = {}
for kind in ("layer", "rms"):
    _, cache = norm_forward(x, kind, gamma, beta)
    forward = count_ops(norm_forward, x, kind, gamma, beta)
    backward = count_ops(norm_backward, d_out, kind, gamma, cache)
    cost[kind] = [(c.flops / BATCH, c.bytes_moved / BATCH) for c in (forward, backward)]
    (f_flops, f_bytes), (b_flops, b_bytes) = cost[kind]
    print(f"  {kind:<5} hacia delante {f_flops:6.0f} flops {f_bytes:6.0f} bytes   "
          f"hacia atrás {b_flops:6.0f} flops {b_bytes:6.0f} bytes")
for i, name in enumerate(("hacia delante", "hacia atrás")):
    flops, traffic = (cost["rms"][i][k] / cost["layer"][i][k] for k in (0, 1))
    print(f"RMSNorm / LayerNorm, {name}: {flops:.0%} de los flops, {traffic:.0%} de los bytes")
