# Random walks with unit Gaussian steps: the spread grows like the square root of time.
import random

from instruments.plot import histogram, line

random.seed(1)
steps, walkers = 100, 400
finals, spread = [], [0.0] * (steps + 1)
for _ in range(walkers):
    position = 0.0
    for t in range(1, steps + 1):
        position += random.gauss(0.0, 1.0)
        spread[t] += position * position / walkers
    finals.append(position)

ts = list(range(steps + 1))
line(ts, [[s ** 0.5 for s in spread], [t ** 0.5 for t in ts]], names=["measured", "√t"],
     title="Spread of 400 random walks", xlabel="step t", ylabel="root mean square position")
histogram(finals, bins=21, title="Where the walkers end", xlabel="position after 100 steps")
print(f"rms position after {steps} steps: {spread[-1] ** 0.5:.2f} (√{steps} = {steps ** 0.5:.0f})")
