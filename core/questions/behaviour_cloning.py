"""The Behaviour cloning chapter's questions: copying an expert is not the same as winning.

A setting is the Play tab's link (`bc_play_agent`, `bc_play_opponent`, `bc_play_side`,
`bc_play_opening`); the answers play the shipped policies (assets/) in
core.wrestling.play.record_match, the game the Play tab records: one game of at most
MAX_STEPS steps each, so the cost is bounded (about a second).
"""

from core.i18n import N_
from core.questions import asked
from core.wrestling import bc, export, play

OUTCOMES = (N_("the agent wins"), N_("a draw"), N_("the agent loses"))
_WEIGHTS = {"shipped": export.SHIPPED_WEIGHTS, "dagger": export.DAGGER_WEIGHTS}


def player(name: str):
    """A player of the Play tab by its link id (shipped policies, still, random, expert)."""
    if name in _WEIGHTS:
        return play.Cloned(bc.load_weights(_WEIGHTS[name].read_bytes()), name)
    return {"still": play.Still, "random": play.Random, "expert": play.Expert}[name]()


def match(setting: dict) -> play.Match:
    """The Play tab's game at `setting`: the agent on its side, seed 0, as the page plays it."""
    me, opp = player(setting["bc_play_agent"]), player(setting["bc_play_opponent"])
    side = int(setting["bc_play_side"])
    pair = (me, opp) if side == 0 else (opp, me)
    return play.record_match(*pair, seed=0, opening=int(setting["bc_play_opening"]))


def _outcome(setting: dict) -> int:
    winner, side = match(setting).winner, int(setting["bc_play_side"])
    return 1 if winner == -1 else (0 if winner == side else 2)


STILL = {"bc_play_opponent": "still", "bc_play_side": 1, "bc_play_opening": 0}
QUESTIONS = [
    asked(
        _outcome,
        STILL | {"bc_play_agent": "shipped"},
        id="behaviour_cloning.bc_vs_still",
        chapter="behaviour_cloning",
        prompt=N_(
            "The shipped BC policy plays player 1 (blue) against a player who never moves, "
            "from the fixed start. What happens?"
        ),
        kind="choice",
        choices=OUTCOMES,
        explanation=(
            N_(
                "A player who never moves looks like the easiest opponent, but BC only copies what "
                "the expert did in the states the expert's own games visited; a still opponent "
                "leads elsewhere, where small errors can add up (compounding error). Whether the "
                "clone copes there is an empirical question: the match below is the real one."
            )
        ),
    ),
    asked(
        _outcome,
        STILL | {"bc_play_agent": "dagger"},
        id="behaviour_cloning.dagger_vs_still",
        chapter="behaviour_cloning",
        prompt=N_(
            "Now the shipped DAgger policy (that BC, then DAgger rounds) as player 1 against "
            "the same still player. What happens?"
        ),
        kind="choice",
        choices=OUTCOMES,
        explanation=(
            N_(
                "DAgger lets the cloned policy drive, asks the expert what it should have done in "
                "the states the policy itself reached, and trains on those too: it is taught to "
                "recover from its own mistakes. Compare its game with plain BC's."
            )
        ),
    ),
]
