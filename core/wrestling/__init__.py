"""Jidi's olympics-wrestling game, re-implemented exactly and fast, and behaviour cloning on it.

Start with rules.py (the game, top to bottom), then env.py (WrestlingEnv: many matches with
reset/step). fast/ makes the views fast; expert.py, data.py, bc.py, play.py and pretrain.py are
the behaviour-cloning lesson; jidi.py, export.py and submission_template.py the Jidi interface;
render.py draws pictures. The command lines are in scripts/ at the top of the repository.
"""
