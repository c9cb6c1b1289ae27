"""Questions benchmark: what computing each question's answer costs (the first reveal of a
question in a server process pays it; later reveals read the kept answer).

Run: python bench/questions.py

Times are CPU seconds of this thread (one torch thread), printed beside the wall clock.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core.questions import all_questions  # noqa: E402


def main() -> None:
    """Print every question's computed answer and the time it took, then the totals."""
    torch.set_num_threads(1)
    cpu_total = wall_total = 0.0
    for q in all_questions():
        cpu, wall = time.thread_time(), time.perf_counter()
        truth = q.answer()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        cpu_total, wall_total = cpu_total + cpu, wall_total + wall
        print(f"{q.id:40s} {q.shown(truth)[:34]:34s} cpu {cpu:6.2f} s  wall {wall:6.2f} s")
    print(f"{'all ' + str(len(all_questions())) + ' questions':75s} cpu {cpu_total:6.2f} s  "
          f"wall {wall_total:6.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
