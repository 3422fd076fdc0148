"""Why weights are scaled by 1/sqrt(fan-in), and why tanh asks for a gain (EQ L.4).

A pre-activation sums fan-in terms, so its spread grows like sqrt(fan-in);
tanh then squeezes the spread, and a gain a little above 1 makes up for it."""
import numpy as np

rng = np.random.default_rng(seed=5)
print("fan-in  std(z), W ~ N(0, 1)  std(z), W ~ N(0, 1)/sqrt(fan-in)")
for fan_in in (10, 100, 1000):
    x, W = rng.standard_normal((1000, fan_in)), rng.standard_normal((fan_in, 50))
    print(f"{fan_in:6d} {(x @ W).std():19.2f} {(x @ W / np.sqrt(fan_in)).std():33.2f}")

squeeze = np.mean(np.tanh(rng.standard_normal(1_000_000)) ** 2)   # E[tanh(z)^2]
print(f"tanh keeps {squeeze:.3f} of the variance; restoring gain {squeeze ** -0.5:.2f}")

WIDTH, DEPTH = 100, 20
x = rng.standard_normal((500, WIDTH))
print("gain  std of tanh outputs at layers 1, 5, 10, 20  saturated at 20")
for gain in (1.0, 5 / 3, 3.0):
    h, stds = x, []
    for layer in range(DEPTH):
        h = np.tanh(h @ (gain * rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)))
        stds.append(h.std())
    print(f"{gain:4.2f}  " + "  ".join(f"{stds[k - 1]:.3f}" for k in (1, 5, 10, 20))
          + f"  {np.mean(np.abs(h) > 0.97):18.1%}")
