"""Process-level helpers for the server: threads, memory. Not computation, and no Streamlit.

`core/` may use these (a training loop picks its thread count); pages and the entry script
use them to keep one server healthy for a whole class.
"""
