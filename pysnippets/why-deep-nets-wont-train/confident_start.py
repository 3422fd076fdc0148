"""The loss before any learning: the uniform baseline, then a random output layer.

A hidden layer of tanh features feeds an output layer of V logits (EQ L.2).
We score random targets with the cross-entropy at three output-weight scales.
"""
import numpy as np

V, HIDDEN, BATCH = 27, 200, 1000        # 26 letters and the end-of-name mark
rng = np.random.default_rng(seed=0)
h = np.tanh(rng.standard_normal((BATCH, HIDDEN)))       # hidden features
targets = rng.integers(0, V, size=BATCH)                 # any character is as likely
W = rng.standard_normal((HIDDEN, V))                      # output weights, N(0, 1)

print(f"uniform baseline -log(1/V) = {-np.log(1 / V):.4f}")
print("weight scale  logit std  top probability  loss")
for scale in (1.0, 0.1, 0.01):
    logits = h @ (scale * W)
    shifted = logits - logits.max(axis=1, keepdims=True)     # stable softmax
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(BATCH), targets]).mean()
    top = probs.max(axis=1).mean()
    print(f"{scale:12.2f} {logits.std():10.2f} {top:16.3f} {loss:6.3f}")
