"""From the exported zip to a ranked entry on Jidi: the platform's own steps, as the slide has them.

The competition kit (github.com/jidiai/Competition_Olympics-Wrestling) runs a match with
`run_log.py`, which imports `my_controller` from `agents/<name>/submission.py` for each side
(`--opponent` plays player 0, `--my_ai` player 1) and writes a JSON log to `logs/`; its README
says the platform evaluates a submission the same way. Its submission example is
`agents/random/submission.py`, a random policy with the same signature. `steps()` spells this
out with the names of the files our export really writes.
"""

from core.i18n import Translate, untranslated
from core.wrestling.export import WEIGHTS_NAME

KIT = "https://github.com/jidiai/Competition_Olympics-Wrestling"
PLATFORM = "http://www.jidiai.cn"
AGENT = "my_bc"  # the folder name the steps use for the student's entry
MAX_ATTACHMENTS = 5  # files besides submission.py the platform accepts
MAX_MEGABYTES = 100  # their total size


def steps(agent: str = AGENT, gettext: Translate = untranslated) -> list[str]:
    """The numbered steps, in Markdown, from an account to a submission the platform runs."""
    _ = gettext
    return [
        _(
            "Make an account on the Jidi platform ({platform}) and open the olympics-wrestling "
            "competition page: submissions are uploaded and ranked there."
        ).format(platform=PLATFORM),
        _(
            "Get the competition kit: `git clone {kit}`, then `pip install -r requirements.txt` "
            "inside it (the kit's README suggests Python 3.8 in its own conda environment), and "
            "`pip install numpy torch` for our policy."
        ).format(kit=KIT),
        _(
            "Look at the kit's submission example, `agents/random/submission.py`: the same "
            "`my_controller(observation, action_space, is_act_continuous)` as ours, playing at "
            "random."
        ),
        _(
            "Unzip the downloaded `submission.zip` into a new folder `agents/{agent}/` of the "
            "kit: `submission.py` and `{weights}` side by side (submission.py finds the weights "
            "beside itself)."
        ).format(agent=agent, weights=WEIGHTS_NAME),
        _(
            'Test locally, from the kit\'s folder: `python run_log.py --my_ai "{agent}" '
            '--opponent "random"`. Your policy plays player 1, the random example player 0; the '
            "match is logged to `logs/`. The platform evaluates a submission the same way."
        ).format(agent=agent),
        _(
            "Upload on the platform: `submission.py` as the submission and `{weights}` as an "
            "attachment (at most {attachments} attachments, {megabytes} MB in all). The "
            "course's pass mark: rank above the random agent."
        ).format(weights=WEIGHTS_NAME, attachments=MAX_ATTACHMENTS, megabytes=MAX_MEGABYTES),
    ]
