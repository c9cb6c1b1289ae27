"""Torch's thread count for a block of work (defined in core.budget, which core/ uses)."""

from core.budget import torch_threads

__all__ = ["torch_threads"]
