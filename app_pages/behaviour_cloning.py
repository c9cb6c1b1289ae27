"""Behaviour cloning on Olympics Wrestling: the game, expert data, live training, matches, play, export."""

import math
import time
from pathlib import Path

import numpy as np
import streamlit as st

from app_pages import dagger_tab, heavy, i18n, predict, session, ui
from app_pages.i18n import _
from core.cancel import Cancelled
from core.charts import wrestling as charts
from core.i18n import N_
from core.shareable import Param
from core.wrestling import bc, data, expert, export, jidi_steps, play, render
from runtime.admission import RUN_CPU_SECONDS
from runtime.threads import torch_threads

ARCHS = {
    N_("small (8-16-16)"): (8, 16, 16),
    N_("medium (16-32-32)"): (16, 32, 32),
    N_("large (32-64-64)"): (32, 64, 64),
}
# What a stopped action keeps (its collection or training is never half-kept)
KEPT_DATA = N_("The data already loaded, if any, is kept; nothing of this collection is.")
KEPT_POLICY = N_("The chart shows the epochs that finished; the policy trained before is kept.")
KEPT_TABLE = N_("The table keeps the pairings that were over.")
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
BATCHES = (32, 64, 128, 256, 512)
HIDDENS = (32, 64, 128, 256)
# Who can play: a short id (used in links) and the label on screen.
# Short enough for a select box in a quarter of the projected width: nothing cut.
LABELS = {
    "expert": N_("expert"),
    "shipped": N_("BC, shipped"),
    "dagger": N_("DAgger, shipped"),
    "course": N_("BC, course data"),
    "yours": N_("BC, yours"),
    "random": N_("random"),
    "still": N_("still"),
}
EVERYONE = tuple(LABELS)
AGENTS = EVERYONE[:5]
DEFAULT = bc.TrainConfig()
# The shareable setup (widget keys are the URL names), e.g. ?bc_play_opponent=still&bc_play_side=1
PARAMS = [
    Param("bc_lr", DEFAULT.lr, options=LRS),
    Param("bc_epochs", DEFAULT.epochs, 1, 40),
    Param("bc_batch", DEFAULT.batch_size, options=BATCHES),
    Param("bc_arch", "medium (16-32-32)", options=tuple(ARCHS)),
    Param("bc_hidden", DEFAULT.arch.hidden, options=HIDDENS),
    Param("bc_one_cycle", DEFAULT.one_cycle),
    Param("bc_match_agent", "shipped", options=AGENTS),
    Param("bc_match_games", 40, 20, 400),
    Param("bc_play_agent", "shipped", options=EVERYONE),
    Param("bc_play_opponent", "random", options=EVERYONE),
    Param("bc_play_side", 0, options=(0, 1)),
    Param("bc_play_opening", 0, 0, 10),
]
# the names a policy plays under (match titles, the matches' table), translated where shown
PLAYER_NAMES = (N_("BC shipped"), N_("DAgger shipped"), N_("BC-course"), N_("BC yours"))
GIF_FRAMES = 60  # at most this many frames in a match's animation
ss = st.session_state


@st.cache_resource
def _shipped(path: str) -> bc.BCPolicy | None:
    p = Path(path)
    return bc.load_weights(p.read_bytes()) if p.is_file() else None


@st.cache_data
def _start_pictures(lang: str) -> tuple[bytes, bytes, bytes]:
    """The arena at the reset and both players' views, drawn large, as PNGs (encoded once a
    language: the arena's labels are in `lang`)."""
    m = play.start_match()
    arena = render.draw_state(
        m.pos[0], m.theta[0], m.energy[0], step=0, scale=0.8, gettext=i18n.translator()
    )
    views = render.draw_view(m.obs[0, 0], 12), render.draw_view(m.obs[0, 1], 12)
    return render.png(arena), render.png(views[0]), render.png(views[1])


def _policies() -> dict:
    """Every policy the page can field, by name."""
    pols = {"expert": play.Expert()}
    shipped = _shipped(str(export.SHIPPED_WEIGHTS))
    if shipped is not None:
        pols["shipped"] = play.Cloned(shipped, "BC shipped")
    dagger_policy = _shipped(str(export.DAGGER_WEIGHTS))
    if dagger_policy is not None:
        pols["dagger"] = play.Cloned(dagger_policy, "DAgger shipped")
    course = _shipped(str(export.COURSE_WEIGHTS))
    if course is not None:
        pols["course"] = play.Cloned(course, "BC-course")
    if ss.get("bc_policy") is not None:
        pols["yours"] = play.Cloned(ss.bc_policy, "BC yours")
    pols["random"] = play.Random()
    pols["still"] = play.Still()
    return pols


def _keep_available(key: str, names: list[str], default: str) -> None:
    """A choice from a link that is not on offer now (nothing trained yet) falls back, with a note."""
    if ss.get(key) not in names:
        fallback = default if default in names else names[0]
        wanted = LABELS.get(ss.get(key))
        st.info(
            _("`{key}`: {wanted} is not on offer here yet; using {fallback}.").format(
                key=key, wanted=_(wanted) if wanted else None, fallback=_(LABELS[fallback])
            )
        )
        ss[key] = fallback


def _match_results(table, chart_box, table_box) -> None:
    """The win-rate grid first, then the table with every count."""
    gettext = i18n.translator()
    chart_box.altair_chart(charts.win_rate_grid(table, gettext=gettext), width="stretch")
    # a table that wraps, every column in view (a data grid clipped and scrolled them)
    table_box.table(charts.shown_table(table, gettext=gettext))


def _looked_up(options: list[str]):
    """A format_func translating `options`, looked up now, in this run (AppTest calls a
    format_func outside the script's session, where the visitor's language is unknown)."""
    return {k: _(k) for k in options}.__getitem__


def _legend_text() -> str:
    return " · ".join(f"{value}: {_(name)}" for value, name, _rgb in render.view_legend())


st.title(_("Behaviour cloning: Olympics Wrestling"))
LABEL = {k: _(label) for k, label in LABELS.items()}.__getitem__  # a format_func, looked up now
ui.load_settings(PARAMS)
POLICIES = _policies()
NAMES = list(POLICIES)
_keep_available("bc_match_agent", [n for n in NAMES if n in AGENTS], "shipped")
_keep_available("bc_play_agent", NAMES, "shipped")
_keep_available("bc_play_opponent", NAMES, "random")
tab_game, tab_data, tab_train, tab_matches, tab_play, tab_export, tab_dagger = st.tabs(
    [_("The game"), _("Expert & data"), _("Train"), _("Matches"), _("Play"), _("Export"), "DAgger"]
)

# --- The game --------------------------------------------------------------------------------
with tab_game:
    arena, view0, view1 = _start_pictures(i18n.language())
    a1, a2 = st.columns([5, 4])
    a1.image(arena, caption=_("The arena at the start: each square outlines what a player sees"))
    with a2:
        ui.explain(
            _(
                "Player 0 (light red) starts at the top facing down, player 1 (blue) at the "
                "bottom facing up. Each step a player chooses a **force** in [-100, 200] along "
                "its heading and a **turn** in [-30°, 30°]. Whoever touches the green ring first "
                "loses; after 500 steps it is a draw. Pushing hard while moving fast costs energy "
                "(the bars); a player without energy can no longer push."
            )
        )
        ui.chart(
            ("bc legend",),
            lambda: charts.legend_chart(render.view_legend(), gettext=i18n.translator()),
            style=False,
            width="content",
        )
        if "shipped" in POLICIES:
            st.success(_("A policy cloned from our expert is shipped: open **Play** to watch it."))
    v1, v2 = st.columns(2)
    v1.image(view0, caption=_("What player 0 sees: 40 × 40 cells, facing up, self at the bottom"))
    v2.image(view1, caption=_("What player 1 sees (its own colour is blue, 8)"))
    # the homework and what training minimises: below the pictures, not above every tab
    ui.explain(
        _(
            "The lecture's homework: *two agents compete on stage and aim at pushing the "
            "opponent out of bounds while avoiding falling out themselves; the expert knows how "
            "to stay on the stage; you are given 10,000 expert samples: battle begins.* Each "
            "player sees only a 40 × 40 grid in front of it. We copy an expert's choices with a "
            "small CNN (behaviour cloning), pit the copy against other players, and export it "
            "for Jidi."
        )
    )
    # what training really minimises: nn.MSELoss (a mean over both numbers) on scaled actions
    st.latex(
        r"\min_\theta \; \frac{1}{2N}\sum_{i=1}^{N} \big\| f_\theta(o_i) - \tilde a_i \big\|^2"
    )
    st.caption(
        _(
            "What training really minimises: the network's tanh outputs f_θ lie in [−1, 1], and "
            "the expert's action is scaled to the same range, ã = ((force − 50) / 150, turn / 30), "
            "before the mean squared error; so a force 15 off costs as much as a turn 3° off. "
            "The game plays π_θ(o) = (50 + 150 f₁, 30 f₂)."
        )
    )

# --- Expert & data ---------------------------------------------------------------------------
with tab_data:
    ui.explain(
        _(
            "Our **expert is scripted and cheats**: it reads the true state (positions, "
            "velocities, headings) that the views do not show. It stays near the middle, lines "
            "up on the centre side of the opponent and charges so the impact throws the opponent "
            "outwards, keeping |force| × speed under 10,000 so its energy never falls. The data "
            "keeps only what a student's policy will see: the 40 × 40 view (colours swapped for "
            "player 1, so *self* is always 10) and the expert's action."
        )
    )
    c1, c2, c3 = st.columns(3)
    if c1.button(
        _("Collect 10,000 expert pairs"),
        key="bc_collect",
        type="primary",
        help=_("Under a second: the expert plays a few hundred matches."),
    ) and heavy.wait_turn("collect the data"):
        t0 = time.perf_counter()
        stop = heavy.stopper()
        try:
            with st.spinner(_("The expert plays hundreds of matches...")):
                collected = expert.collect(10_000, seed=0, should_stop=stop)
        except Cancelled:
            heavy.say_stopped(stop, KEPT_DATA)
        else:
            ss.bc_data = collected
            ss.bc_data_name = _("our expert (collected in {seconds:.1f} s)").format(
                seconds=time.perf_counter() - t0
            )
            ss.pop("bc_zip", None)
    course_zip = data.course_zip()
    if course_zip is not None and c2.button(_("Use the course's data"), key="bc_course"):
        ss.bc_data = data.load_zip(course_zip, gettext=i18n.translator())
        ss.bc_data_name = _("the course's expert (player 0's views)")
        ss.pop("bc_zip", None)
    upload = c3.popover(_("Upload a zip"), icon=":material/upload:").file_uploader(
        _("A zip of obs_N.npy + actions_N.npy"), type="zip", key="bc_upload"
    )
    if upload is not None and ss.get("bc_upload_seen") != (upload.name, upload.size):
        ss.bc_upload_seen = (upload.name, upload.size)
        try:
            ss.bc_data = data.load_zip(upload.getvalue(), gettext=i18n.translator())
            # the name is the visitor's
            ss.bc_data_name = _("upload {name}").format(name=ui.user_text(upload.name))
            ss.pop("bc_zip", None)
            session.drop_upload(upload)  # the data are read: the zip's bytes are not kept too
        except Exception as e:  # noqa: BLE001 - any refusal is one line on the page, not a traceback
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            st.error(
                _("Upload refused: {reason}. The data already loaded is kept.").format(
                    reason=ui.user_text(reason, 300)
                ),
                icon=":material/block:",
            )

    d = ss.get("bc_data")
    if d is None:
        st.info(_("Collect the expert's data, or load the course's, to look at it."))
    else:
        n_eps = len(np.unique(d.episode))
        st.markdown(
            _("**{pairs:,} pairs** from {episodes} episodes: {source}.").format(
                pairs=len(d), episodes=n_eps, source=ss.bc_data_name
            )
        )
        # the pictures first: what the expert does, where it goes; then a few of its views
        gettext = i18n.translator()
        st.altair_chart(charts.action_histograms(d.actions, gettext=gettext), width="content")
        if d.pos is not None:
            steps = data.step_in_episode(d.episode)
            p1, p2 = st.columns(2)
            p1.altair_chart(charts.positions_chart(d.pos, steps, gettext=gettext), width="content")
            p2.altair_chart(charts.distance_chart(d.pos, steps, gettext=gettext), width="stretch")
        else:
            st.caption(_("These data carry no positions: only views and actions."))
        st.markdown(_("**A few observations, drawn large** (self is always light red, 10):"))
        picks = np.linspace(0, len(d) - 1, 4).astype(int)
        for col, i in zip(st.columns(4), picks, strict=True):
            col.image(
                render.draw_view(d.obs[i], 6),
                caption=_("pair {i}: force {force:.0f}, turn {turn:.0f}").format(
                    i=i, force=d.actions[i, 0], turn=d.actions[i, 1]
                ),
            )
        st.caption(_legend_text())
        if st.button(_("Prepare the data as a zip"), key="bc_prepare_zip"):
            ss.bc_zip = data.save_zip(d)
        if ss.get("bc_zip"):
            st.download_button(
                _("Download the data (course format)"),
                ss.bc_zip,
                f"expert_obs_actions_{len(d)}.zip",
                mime="application/zip",
                key="bc_download_data",
            )
    ui.show_code(expert.EXPERT_SNIPPET, _("Show the code: the expert's steering"))

# --- Train -----------------------------------------------------------------------------------
with tab_train:
    ui.explain(
        _(
            "The view becomes four one-hot channels (self, opponent, ring, lines), averaged over "
            "2 × 2 blocks (20 × 20: a quarter of the work for every convolution); three stride-2 "
            "convolutions and a hidden layer end in `tanh`, scaled to force [-100, 200] and turn "
            "[-30, 30]. Whole episodes are held out for validation, so the validation loss "
            "measures games the network has never seen. Large batches and a one-cycle learning "
            "rate (warm up, then anneal) train the default network in about 3 s of one core."
        )
    )
    # a slide: the loss chart on the left, the controls that drive it beside it
    chart_col, control_col = st.columns([3, 2])
    w1, w2 = control_col.columns(2)
    lr = w1.select_slider(_("Learning rate (peak)"), LRS, key="bc_lr")
    epochs = w2.slider(_("Epochs"), 1, 40, key="bc_epochs")
    batch = w1.select_slider(_("Batch size"), BATCHES, key="bc_batch")
    hidden = w2.select_slider(_("Hidden units"), HIDDENS, key="bc_hidden")
    arch_name = control_col.selectbox(
        _("Network"), list(ARCHS), format_func=_looked_up(list(ARCHS)), key="bc_arch"
    )
    one_cycle = control_col.toggle(_("One-cycle schedule"), key="bc_one_cycle")
    chart_slot = chart_col.empty()
    if control_col.button(
        _("Train"),
        key="bc_train",
        type="primary",
        help=_(
            "With the defaults about 3 s of one core for 10,000 pairs; the time grows with "
            "the epochs and the network's size. The server's first training adds about 1 s once."
        ),
    ) and heavy.wait_turn("train the policy"):
        d = ss.get("bc_data")
        if d is None:
            st.warning(_("No data yet: collect or load some on the *Expert & data* tab."))
        else:
            cfg = bc.TrainConfig(lr, epochs, batch, bc.Arch(ARCHS[arch_name], hidden), one_cycle)
            ss.bc_history = []
            bar = control_col.progress(0.0, text=_("training..."))
            cpu_start = time.thread_time()
            gettext = i18n.translator()
            stop = heavy.stopper()
            for ev in heavy.until_stopped(bc.train(d, cfg, stop), stop, KEPT_POLICY, control_col):
                ss.bc_history.append(
                    {
                        "epoch": ev.epoch,
                        "train_loss": ev.train_loss,
                        "val_loss": ev.val_loss,
                        "val_baseline": ev.val_baseline,
                        "seconds": ev.seconds,
                    }
                )
                bar.progress(
                    ev.epoch / ev.epochs,
                    text=_("epoch {epoch}/{epochs}, {seconds:.1f} s").format(
                        epoch=ev.epoch, epochs=ev.epochs, seconds=ev.seconds
                    ),
                )
                chart_slot.altair_chart(
                    charts.loss_chart(ss.bc_history, gettext=gettext), width="stretch"
                )
                if not np.isfinite(ev.train_loss):
                    st.error(_("The loss became NaN or infinite: lower the learning rate."))
                    break
                projected = (time.thread_time() - cpu_start) / ev.epoch * ev.epochs
                if ev.policy is None and projected > RUN_CPU_SECONDS:
                    st.warning(
                        _(
                            "At this pace the whole run would take about {projected:.0f} s of the "
                            "server's computing time, and one run may use {limit:.0f} s: "
                            "stopped after the first epoch. Fewer epochs, a smaller network or "
                            "less data finish within it."
                        ).format(projected=projected, limit=RUN_CPU_SECONDS)
                    )
                    break
                if ev.policy is not None:
                    ss.bc_policy = ev.policy
                    ss.bc_policy_data = ss.bc_data_name
                    ss.bc_export_which = "yours (trained here)"  # Export offers the new one
                    st.rerun()  # so "BC yours" is on offer in Matches, Play and Export
    if ss.get("bc_history"):
        chart_slot.altair_chart(
            charts.loss_chart(ss.bc_history, gettext=i18n.translator()), width="stretch"
        )
        h = ss.bc_history[-1]
        control_col.markdown(
            _(
                "Last epoch: training {train:.4f}, validation {val:.4f}, always-the-mean "
                "{mean:.4f}; {seconds:.1f} s of training."
            ).format(
                train=h["train_loss"],
                val=h["val_loss"],
                mean=h["val_baseline"],
                seconds=h["seconds"],
            )
        )
    ui.show_code(bc.TRAIN_SNIPPET, _("Show the code"))

# --- Matches ---------------------------------------------------------------------------------
with tab_matches:
    ui.explain(
        _(
            "Hundreds of games at once in the fast game. The reset is fixed and the policies are "
            "deterministic, so two of them always play the same game from the fixed start: we "
            "also play from randomised openings (both act at random for the first 0-10 steps)."
        )
    )
    m1, m2, m3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    agent_name = m1.selectbox(
        _("Agent"),
        [n for n in NAMES if n in AGENTS],
        format_func=LABEL,
        key="bc_match_agent",
    )
    n_games = m2.slider(
        _("Games per pairing"),
        20,
        400,
        step=20,
        key="bc_match_games",
        help=_("40 games: a quick table for a lesson. 400: the full table, about 8x the time."),
    )
    n_opponents = len(POLICIES)  # every other player, and the agent itself
    agent = POLICIES[agent_name]
    opponents = [p for k, p in POLICIES.items() if k != agent_name] + [agent]
    with torch_threads(1):  # as the matches run: the network's own cost per view, once
        estimate = play.estimate_seconds(agent, opponents, n_games)
    go = m3.button(_("Play the matches"), key="bc_play_matches", type="primary")
    if estimate > RUN_CPU_SECONDS:
        cost = _(
            "{n} opponents × both sides × 2 starts: about {estimate:.0f} s of one core; a table "
            "stops at {limit:.0f} s: fewer games finish within it."
        )
    else:
        cost = _(
            "{n} opponents × both sides × 2 starts: about {estimate:.0f} s of one core; a table "
            "stops at {limit:.0f} s."
        )
    st.caption(
        cost.format(n=n_opponents, estimate=estimate, limit=RUN_CPU_SECONDS)
        + " "
        + _("Each pairing appears as soon as its games are over.")
    )
    chart_box, table_box = st.empty(), st.empty()  # the results, under the button
    if go and heavy.wait_turn("play the matches"):
        total = len(opponents) * 4
        bar = st.progress(0.0, text=_("playing every pairing at once..."))
        rows = []
        stop = heavy.stopper(budget=None)  # Stop, a click, the gate; the cap is the budget's
        with torch_threads(1):
            played = play.evaluate(
                agent, opponents, n_games, seed=0, budget=RUN_CPU_SECONDS, should_stop=stop
            )
            for i, pairing in enumerate(heavy.until_stopped(played, stop, KEPT_TABLE), 1):
                rows.append(pairing)
                ss.bc_table = play.table(rows)
                bar.progress(
                    i / total,
                    text=_("{i}/{total} pairings over: {opponent}").format(
                        i=i, total=total, opponent=_(pairing.opponent)
                    ),
                )
                _match_results(ss.bc_table, chart_box, table_box)
        bar.empty()
        if len(rows) < total and not stop.reason:
            st.warning(
                _(
                    "The table stopped at its share of the server's computing time "
                    "({limit:.0f} s of one core): {done} of {total} pairings are over. Fewer "
                    "games per pairing finish within it."
                ).format(limit=RUN_CPU_SECONDS, done=len(rows), total=total),
                icon=":material/timer:",
            )
    elif ss.get("bc_table") is not None:
        _match_results(ss.bc_table, chart_box, table_box)

# --- Play ------------------------------------------------------------------------------------
with tab_play:
    # a slide: the match (or the start) on the left, the controls beside it
    g1, g2 = st.columns(2)
    asking = g2.container()  # the question above the controls: all of it on the first screen
    q1, q2 = g2.columns(2)
    me = q1.selectbox(_("Agent"), NAMES, format_func=LABEL, key="bc_play_agent")
    opp = q2.selectbox(_("Opponent"), NAMES, format_func=LABEL, key="bc_play_opponent")
    side = g2.radio(
        _("Agent plays"),
        [0, 1],
        format_func=[_("player 0 (light red)"), _("player 1 (blue)")].__getitem__,
        horizontal=True,
        key="bc_play_side",
    )
    opening = g2.slider(_("Random opening steps (0: fixed start)"), 0, 10, key="bc_play_opening")
    with asking:
        played = predict.ask("behaviour_cloning.bc_vs_still", "behaviour_cloning.dagger_vs_still")
    if (
        played
        and g2.button(
            _("Play a match"),
            key="bc_play",
            type="primary",
            help=_("1.5 to 3 s of one core, most of it drawing the animation."),
        )
        and heavy.wait_turn("play")
    ):
        pair = (POLICIES[me], POLICIES[opp]) if side == 0 else (POLICIES[opp], POLICIES[me])
        with st.spinner(_("Playing and drawing the match...")), torch_threads(1):
            match = play.record_match(*pair, seed=0, opening=opening)
            every = max(1, math.ceil((match.length + 1) / GIF_FRAMES))
            ss.bc_gif = render.match_gif(
                match.pos, match.theta, match.energy, 0.8, every, 10, gettext=i18n.translator()
            )
        ss.bc_match, ss.bc_match_side, ss.bc_scrub = match, side, 0
    match = ss.get("bc_match") if played else None
    if match is None:
        if played:  # while a prediction is pending, there is nothing to press yet
            g2.info(
                _("**{name}** is ready to play: press *Play a match*.").format(name=_(LABELS[me]))
            )
        arena, *views = _start_pictures(i18n.language())
        g1.image(arena, caption=_("The start"))
        s1, _s2 = st.columns(2)
        s1.image(
            views[side], caption=_("Player {side}'s 40 × 40 view at the start").format(side=side)
        )
    else:
        side = ss.bc_match_side
        result = {
            0: _("player 0 (light red) wins"),
            1: _("player 1 (blue) wins"),
            -1: _("a draw"),
        }
        g2.markdown(
            _("**{p0}** (light red) vs **{p1}** (blue): {result} after {steps} steps.").format(
                p0=_(match.names[0]),
                p1=_(match.names[1]),
                result=result[match.winner],
                steps=match.length,
            )
        )
        g1.image(ss.bc_gif, caption=_("The match, animated (loops)"), width="stretch")
        t = st.slider(_("Step of the match"), 0, max(match.length, 1), key="bc_scrub")
        t = min(t, match.length)
        h0, h1 = st.columns([3, 2])
        h0.image(
            render.draw_state(
                match.pos[t],
                match.theta[t],
                match.energy[t],
                step=t,
                scale=0.8,
                gettext=i18n.translator(),
            ),
            caption=_("The arena at step {t}").format(t=t),
            width="stretch",
        )
        h1.image(
            render.draw_view(match.obs[t, side], 9),
            caption=_("Player {side}'s view, step {t}").format(side=side, t=t),
        )
        if t < match.length:
            f, turn = match.actions[t, side]
            h1.markdown(
                _("Player {side} chooses **force {force:.0f}**, **turn {turn:.0f}°**.").format(
                    side=side, force=f, turn=turn
                )
            )
        st.altair_chart(
            charts.actions_chart(match.actions, side, t, gettext=i18n.translator()),
            width="content",
        )

# --- Export ----------------------------------------------------------------------------------
with tab_export:
    ui.explain(
        _(
            "A ready Jidi submission: `submission.py` with `my_controller(observation, "
            "action_space, is_act_continuous=True)` and the weights, read back with "
            "`torch.load(..., weights_only=True)`. It swaps the colours when "
            "`controlled_player_index` is 1, so it plays either side. The shipped DAgger policy "
            "also sees the view before this one: its `submission.py` remembers each player's "
            "last view and starts afresh when a new game begins."
        )
    )
    # the student's own first, then the shipped ones, best first: the first is the default
    # (new options make a new radio, so a policy just trained here becomes the choice)
    options = dagger_tab.policy_for_export()
    if ss.get("bc_policy") is not None:
        options[N_("yours (trained here)")] = ss.bc_policy
    for name, path in (
        (N_("DAgger shipped (BC, then DAgger)"), export.DAGGER_WEIGHTS),
        (N_("BC shipped (our expert's data)"), export.SHIPPED_WEIGHTS),
    ):
        if (policy := _shipped(str(path))) is not None:
            options[name] = policy
    if options:
        which = st.radio(
            _("Policy to export"),
            list(options),
            format_func=_looked_up(list(options)),
            horizontal=True,
            key="bc_export_which",
        )
        st.download_button(
            _("Download submission.zip"),
            lambda policy=options[which]: export.submission_zip(policy),  # made on a click
            "submission.zip",
            mime="application/zip",
            key="bc_export",
        )
    st.code("python scripts/export_submission.py --out submission.zip", language="bash")
    st.markdown(_("**On the Jidi platform**"))
    steps = jidi_steps.steps(gettext=i18n.translator())
    st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1)))
    ui.show_code(Path(export.TEMPLATE).read_text(), _("Show the code: submission.py"))

with tab_dagger:
    dagger_tab.render()

ui.publish_settings(PARAMS + dagger_tab.PARAMS)
