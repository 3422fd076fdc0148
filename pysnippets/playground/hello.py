# Mean and variance by hand: no numpy needed.
import random

random.seed(0)
samples = [random.gauss(0.0, 2.0) for _ in range(10_000)]

mean = sum(samples) / len(samples)
variance = sum((s - mean) ** 2 for s in samples) / len(samples)
print(f"mean     {mean:+.3f}   (expected 0)")
print(f"variance {variance:.3f}   (expected 4)")

# A final expression is shown, as in a notebook:
round(variance ** 0.5, 3)
