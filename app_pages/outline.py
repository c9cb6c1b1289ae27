"""The lecture's outline: every chapter of the app, in the lecture's order.

Plain data shared by the entry script (navigation) and the Home page (links). Every chapter
listed must have its page file: a missing one is an error at start-up, never a page (and its
tests) silently dropped.
"""

from dataclasses import dataclass
from pathlib import Path

from core.i18n import N_

ROOT = Path(__file__).resolve().parents[1]  # the repository root


@dataclass(frozen=True)
class Chapter:
    section: str  # English, marked for translation: show `_(chapter.section)`
    path: str  # page file, relative to the repository root
    title: str  # shown as `_(chapter.title)`
    icon: str
    promise: str  # one line on the Home page, shown as `_(chapter.promise)`

    @property
    def url_path(self) -> str:
        return Path(self.path).stem

    @property
    def exists(self) -> bool:
        return (ROOT / self.path).is_file()


CHAPTERS = [
    Chapter(
        N_("Basics"),
        "app_pages/tensors.py",
        N_("Tensors"),
        ":material/grid_on:",
        N_(
            "Scalars to n-d tensors, shapes, broadcasting, views and copies, drawn as coloured grids."
        ),
    ),
    Chapter(
        N_("Basics"),
        "app_pages/autograd_graph.py",
        N_("Autograd & the computation graph"),
        ":material/account_tree:",
        N_(
            "Type an expression, see the graph autograd records, walk the backward pass node by node."
        ),
    ),
    Chapter(
        N_("Basics"),
        "app_pages/modules.py",
        N_("Modules & the training loop"),
        ":material/widgets:",
        N_(
            "nn.Module inside out, DataLoader batches, the training loop one phase at a time, saving."
        ),
    ),
    Chapter(
        N_("Optimisation"),
        "app_pages/gradient_descent.py",
        N_("Gradient descent"),
        ":material/trending_down:",
        N_(
            "Optimisers race across 2-D loss landscapes; learning rate and steps at your fingertips."
        ),
    ),
    Chapter(
        N_("Optimisation"),
        "app_pages/loss_functions.py",
        N_("Loss functions"),
        ":material/functions:",
        N_("MSE, hinge, SoftMargin, cross-entropy and friends: their curves and their gradients."),
    ),
    Chapter(
        N_("Training"),
        "app_pages/live_training.py",
        N_("Live training"),
        ":material/model_training:",
        N_("Regression, classification, an RNN and a CNN learning live while you watch."),
    ),
    Chapter(
        N_("Decision making"),
        "app_pages/behaviour_cloning.py",
        N_("Behaviour cloning"),
        ":material/sports_kabaddi:",
        N_(
            "Olympics Wrestling: an expert, 10,000 samples, a policy cloned live, matches, a Jidi export."
        ),
    ),
]

# Not a chapter of the lecture (no demo to audit): the room where the class answers its questions.
CLASS_ROOM = Chapter(
    N_("Class"),
    "app_pages/class_room.py",
    N_("Class room"),
    ":material/groups:",
    N_(
        "The lecturer asks, every student answers on their own device, the projector shows the class."
    ),
)

HOME = Chapter("", "app_pages/home.py", N_("Home"), ":material/home:", N_("The lecture's outline."))


def chapters(listed: list[Chapter] = CHAPTERS) -> list[Chapter]:
    """The chapters in the lecture's order; raises FileNotFoundError naming any missing page."""
    missing = [c.path for c in listed if not c.exists]
    if missing:
        raise FileNotFoundError(f"chapter page file(s) missing: {', '.join(missing)}")
    return list(listed)


def pages() -> list[Chapter]:
    """Every page the navigation lists after Home: the chapters, then the class room."""
    return [*chapters(), *chapters([CLASS_ROOM])]
