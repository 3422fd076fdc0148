from instruments.plot import plot_xy

squares = [k * k for k in range(6)]
print("squares:", squares)
plot_xy(list(range(6)), squares, title="k squared")
