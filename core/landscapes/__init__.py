"""Loss landscapes for the gradient-descent page, one idea per module.

- `functions`: the 2-D test functions with their hand-derived gradients and known minima.
- `descent`: real torch.optim optimisers racing across a landscape; their update rules by hand.
- `contours`: f on a grid and the contour lines drawn over it.
- `network_slice`: a real network's landscape, the filter-normalised slice of Li et al. 2018.
"""
