"""The lecture's tensor section as data to display: each operation returns a `Shown`.

A `Shown` holds the exact code (a module-level template filled with validated numbers), the
text that code prints, the tensors to draw, highlight masks and per-cell labels. Tests run
the code and compare what it prints with `Shown.printed`. Nothing here imports streamlit.
"""

from core.tensors.arithmetic import (
    ELEMENTWISE_CODE,
    ELEMENTWISE_OPS,
    PRODUCT_CODE,
    PRODUCTS,
    REDUCE_CODE,
    REDUCTIONS,
    elementwise,
    product,
    reduce,
)
from core.tensors.broadcasting import (
    BROADCAST_CODE,
    Broadcast,
    broadcast,
    broadcast_table,
)
from core.tensors.common import (
    MAX_CELLS,
    MAX_DIMS,
    MAX_SIZE,
    Shown,
    memory_facts,
    shares_memory,
)
from core.tensors.creation import (
    CREATE_CODE,
    CREATORS,
    RANDOM_CREATORS,
    RANK_CODE,
    RANK_NAMES,
    create,
    ranks,
)
from core.tensors.indexing import (
    CAT_CODE,
    GATHER_CODE,
    INDEX_CODE,
    Gathered,
    IndexKey,
    cat_stack,
    format_index,
    gather,
    index,
    parse_index,
)
from core.tensors.numpy_bridge import (
    NUMPY_CODE,
    numpy_bridge,
)
from core.tensors.reshaping import (
    EXPAND_CODE,
    SQUEEZE_CODE,
    TRANSPOSE_CODE,
    VIEW_CODE,
    VIEW_HINT,
    WRITES,
    expand_vs_repeat,
    factor_shapes,
    squeeze_unsqueeze,
    transpose,
    view_vs_reshape,
)

__all__ = [
    "BROADCAST_CODE",
    "Broadcast",
    "CAT_CODE",
    "CREATE_CODE",
    "CREATORS",
    "ELEMENTWISE_CODE",
    "ELEMENTWISE_OPS",
    "EXPAND_CODE",
    "GATHER_CODE",
    "Gathered",
    "INDEX_CODE",
    "IndexKey",
    "MAX_CELLS",
    "MAX_DIMS",
    "MAX_SIZE",
    "NUMPY_CODE",
    "PRODUCTS",
    "PRODUCT_CODE",
    "RANDOM_CREATORS",
    "RANK_CODE",
    "RANK_NAMES",
    "REDUCE_CODE",
    "REDUCTIONS",
    "SQUEEZE_CODE",
    "Shown",
    "TRANSPOSE_CODE",
    "VIEW_CODE",
    "VIEW_HINT",
    "WRITES",
    "broadcast",
    "broadcast_table",
    "cat_stack",
    "create",
    "elementwise",
    "expand_vs_repeat",
    "factor_shapes",
    "format_index",
    "gather",
    "index",
    "memory_facts",
    "numpy_bridge",
    "parse_index",
    "product",
    "ranks",
    "reduce",
    "shares_memory",
    "squeeze_unsqueeze",
    "transpose",
    "view_vs_reshape",
]
