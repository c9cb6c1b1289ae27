"""The autograd page's core, one idea per module.

- `record`: the graph autograd records (``grad_fn.next_functions``) as a networkx.DiGraph.
- `layout`: its nodes in layers for the drawing, inputs left, output right.
- `derivatives`: each op's local derivative, in words and in numbers.
- `backward`: the backward pass walked node by node, captured with hooks.
- `presets`: the lecture's programs and models, each with the code the page shows.
"""
