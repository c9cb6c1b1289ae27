"""nn.Module and its companions, as the lecture teaches them between Autograd and the losses.

One module per tab of the "Modules & the training loop" page, each returning plain data and
carrying the code it shows: `anatomy` (parameters, submodules, state_dict), `devices`
(.to(device), .to(dtype), mismatch errors), `modes` (.train() and .eval()), `loading` (Dataset and
DataLoader), `slow_loop` (the training loop one phase at a time, with the classic bugs) and
`saving` (state_dict round trips, weights_only).
"""
