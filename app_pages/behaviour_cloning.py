"""Behaviour cloning on Olympics Wrestling: expert data, live training, matches, play, Jidi export."""

import time
from pathlib import Path

import numpy as np
import streamlit as st

from core.charts import wrestling as charts
from core.wrestling import bc, data, expert, export, play
from ui import explain, show_code

COURSE_ZIP = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "course_expert_obs_actions.zip"
)
COURSE_WEIGHTS = export.SHIPPED_WEIGHTS.with_name("wrestling_bc_course.pt")
ARCHS = {
    "small (8-16-16)": (8, 16, 16),
    "medium (16-32-32)": (16, 32, 32),
    "large (32-64-64)": (32, 64, 64),
}
ss = st.session_state


@st.cache_resource
def _shipped(path: str) -> bc.BCPolicy | None:
    p = Path(path)
    return bc.load_weights(p.read_bytes()) if p.is_file() else None


def _policies() -> dict:
    """Every policy the page can field, by name."""
    pols = {"expert (reads the true state)": play.Expert()}
    shipped = _shipped(str(export.SHIPPED_WEIGHTS))
    if shipped is not None:
        pols["BC shipped (our expert's data)"] = play.Cloned(shipped, "BC shipped")
    course = _shipped(str(COURSE_WEIGHTS))
    if course is not None:
        pols["BC on the course's data"] = play.Cloned(course, "BC-course")
    if ss.get("bc_policy") is not None:
        pols["BC yours (trained here)"] = play.Cloned(ss.bc_policy, "BC yours")
    pols["random"] = play.Random()
    pols["still"] = play.Still()
    return pols


st.title("Behaviour cloning: Olympics Wrestling")
explain(
    "The lecture's homework: *two agents compete on stage and aim at pushing the opponent out "
    "of bounds while avoiding falling out themselves; the expert knows how to stay on the "
    "stage; you are given 10,000 expert samples: battle begins.* Each player sees only a "
    "40 × 40 grid in front of it. We copy an expert's choices with a small CNN (behaviour "
    "cloning), pit the copy against other players, and export it for Jidi."
)
st.latex(r"\min_\theta \; \frac{1}{N}\sum_{i=1}^{N} \big\| \pi_\theta(o_i) - a_i \big\|^2")

tab_data, tab_train, tab_matches, tab_play, tab_export = st.tabs(
    ["Expert & data", "Train", "Matches", "Play", "Export"]
)

# --- Expert & data ---------------------------------------------------------------------------
with tab_data:
    explain(
        "Our **expert is scripted and cheats**: it reads the true state (positions, "
        "velocities, headings) that the views do not show. It stays near the middle, lines up "
        "on the centre side of the opponent and charges so the impact throws the opponent "
        "outwards, keeping |force| × speed under 10,000 so its energy never falls. The data "
        "keeps only what a student's policy will see: the 40 × 40 view (colours swapped for "
        "player 1, so *self* is always 10) and the expert's action."
    )
    c1, c2, c3 = st.columns(3)
    if c1.button("Collect 10,000 expert pairs", key="bc_collect", type="primary"):
        t0 = time.perf_counter()
        with st.spinner("The expert plays hundreds of matches..."):
            ss.bc_data = expert.collect(10_000, seed=0)
        ss.bc_data_name = f"our expert (collected in {time.perf_counter() - t0:.1f} s)"
        ss.pop("bc_zip", None)
    if COURSE_ZIP.is_file() and c2.button("Use the course's data", key="bc_course"):
        ss.bc_data = data.load_zip(COURSE_ZIP)
        ss.bc_data_name = "the course's expert (player 0's views)"
        ss.pop("bc_zip", None)
    upload = c3.file_uploader(
        "Or upload a zip (obs_N.npy + actions_N.npy)", type="zip", key="bc_upload"
    )
    if upload is not None and ss.get("bc_upload_seen") != (upload.name, upload.size):
        ss.bc_upload_seen = (upload.name, upload.size)
        try:
            ss.bc_data = data.load_zip(upload.getvalue())
            ss.bc_data_name = f"upload {upload.name}"
            ss.pop("bc_zip", None)
        except ValueError as e:
            st.warning(f"Upload refused: {e}. The data already loaded is kept.")

    d = ss.get("bc_data")
    if d is None:
        st.info("Collect the expert's data, or load the course's, to look at it.")
    else:
        n_eps = len(np.unique(d.episode))
        st.markdown(f"**{len(d):,} pairs** from {n_eps} episodes: {ss.bc_data_name}.")
        st.altair_chart(charts.action_histograms(d.actions), use_container_width=False)
        st.markdown("**A few observations, drawn large** (self red = 10, opponent blue = 8):")
        picks = np.linspace(0, len(d) - 1, 4).astype(int)
        cols = st.columns(4)
        for col, i in zip(cols, picks, strict=True):
            col.image(
                charts.view_image(d.obs[i], 6),
                caption=f"pair {i}: force {d.actions[i, 0]:.0f}, turn {d.actions[i, 1]:.0f}",
            )
        st.caption(" · ".join(f"{v}: {name}" for v, name in charts.VIEW_LEGEND.items()))
        if d.pos is not None:
            steps = data.step_in_episode(d.episode)
            p1, p2 = st.columns(2)
            p1.altair_chart(charts.positions_chart(d.pos, steps), use_container_width=False)
            p2.altair_chart(charts.distance_chart(d.pos, steps), use_container_width=False)
        else:
            st.caption("These data carry no positions: only views and actions.")
        if st.button("Prepare the data as a zip", key="bc_prepare_zip"):
            ss.bc_zip = data.save_zip(d)
        if ss.get("bc_zip"):
            st.download_button(
                "Download the data (course format)",
                ss.bc_zip,
                f"expert_obs_actions_{len(d)}.zip",
                mime="application/zip",
                key="bc_download_data",
            )
    show_code(expert.EXPERT_SNIPPET, "Show the code: the expert's steering")

# --- Train -----------------------------------------------------------------------------------
with tab_train:
    explain(
        "The view becomes four one-hot channels (self, opponent, ring, lines); three stride-2 "
        "convolutions and a hidden layer end in `tanh`, scaled to force [-100, 200] and turn "
        "[-30, 30]. Whole episodes are held out for validation, so the validation loss "
        "measures games the network has never seen."
    )
    w1, w2, w3, w4 = st.columns(4)
    lr = w1.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], value=1e-3, key="bc_lr")
    epochs = w2.slider("Epochs", 1, 40, 10, key="bc_epochs")
    batch = w3.select_slider("Batch size", [16, 32, 64, 128, 256], value=64, key="bc_batch")
    arch_name = w4.selectbox("Network", list(ARCHS), index=1, key="bc_arch")
    hidden = w4.select_slider("Hidden units", [32, 64, 128, 256], value=128, key="bc_hidden")
    chart_slot = st.empty()
    if st.button("Train", key="bc_train", type="primary"):
        d = ss.get("bc_data")
        if d is None:
            st.warning("No data yet: collect or load some on the first tab.")
        else:
            cfg = bc.TrainConfig(lr, epochs, batch, bc.Arch(ARCHS[arch_name], hidden))
            ss.bc_history = []
            bar = st.progress(0.0, text="training...")
            for ev in bc.train(d, cfg):
                ss.bc_history.append(
                    {
                        "epoch": ev.epoch,
                        "train_loss": ev.train_loss,
                        "val_loss": ev.val_loss,
                        "val_baseline": ev.val_baseline,
                    }
                )
                bar.progress(
                    ev.epoch / ev.epochs, text=f"epoch {ev.epoch}/{ev.epochs}, {ev.seconds:.1f} s"
                )
                chart_slot.altair_chart(charts.loss_chart(ss.bc_history), use_container_width=True)
                if not np.isfinite(ev.train_loss):
                    st.error("The loss became NaN or infinite: lower the learning rate.")
                    break
                if ev.policy is not None:
                    ss.bc_policy = ev.policy
                    ss.bc_policy_data = ss.bc_data_name
    if ss.get("bc_history"):
        chart_slot.altair_chart(charts.loss_chart(ss.bc_history), use_container_width=True)
        h = ss.bc_history[-1]
        st.markdown(
            f"Last epoch: training {h['train_loss']:.4f}, validation {h['val_loss']:.4f}, "
            f"always-the-mean {h['val_baseline']:.4f}."
        )
    show_code(bc.TRAIN_SNIPPET)

# --- Matches ---------------------------------------------------------------------------------
with tab_matches:
    explain(
        "Hundreds of games at once in the fast game. The reset is fixed and the policies are "
        "deterministic, so two of them always play the same game from the fixed start: we "
        "also play from randomised openings (both act at random for the first 0-10 steps)."
    )
    pols = _policies()
    m1, m2 = st.columns(2)
    agents = [k for k in pols if k.startswith("BC") or k.startswith("expert")]
    agent_name = m1.selectbox("Agent", agents, index=len(agents) - 1, key="bc_match_agent")
    n_games = m2.slider("Games per pairing", 20, 400, 100, step=20, key="bc_match_games")
    if st.button("Play the matches", key="bc_play_matches", type="primary"):
        agent = pols[agent_name]
        opponents = [p for k, p in pols.items() if k != agent_name] + [agent]
        total = len(opponents) * 4
        bar = st.progress(0.0, text="playing...")
        rows = []
        for i, pairing in enumerate(play.evaluate(agent, opponents, n_games, seed=0), 1):
            rows.append(pairing)
            bar.progress(i / total, text=f"{pairing.opponent}: {i}/{total}")
        ss.bc_table = play.table(rows)
    if ss.get("bc_table") is not None:
        st.dataframe(ss.bc_table, hide_index=True, use_container_width=True)

# --- Play ------------------------------------------------------------------------------------
with tab_play:
    pols = _policies()
    names = list(pols)
    q1, q2, q3, q4 = st.columns(4)
    me = q1.selectbox("Agent", names, index=1 if len(names) > 1 else 0, key="bc_play_agent")
    opp = q2.selectbox("Opponent", names, index=names.index("random"), key="bc_play_opponent")
    side = q3.radio(
        "Agent plays",
        [0, 1],
        format_func=lambda s: f"player {s} ({'red' if s == 0 else 'blue'})",
        horizontal=True,
        key="bc_play_side",
    )
    opening = q4.slider("Random opening steps (0: fixed start)", 0, 10, 0, key="bc_play_opening")
    if st.button("Play a match", key="bc_play", type="primary"):
        pair = (pols[me], pols[opp]) if side == 0 else (pols[opp], pols[me])
        match = play.record_match(*pair, seed=0, opening=opening)
        frames = charts.match_frames(match, side, cell=6)
        step = max(1, len(frames) // 120)
        ss.bc_match = match
        ss.bc_match_side = side
        ss.bc_gif = charts.gif_bytes(
            [f.resize((f.width * 2 // 3, f.height * 2 // 3)) for f in frames[::step]], 80 * step
        )
    match = ss.get("bc_match")
    if match is not None:
        side = ss.bc_match_side
        result = {0: "player 0 (red) wins", 1: "player 1 (blue) wins", -1: "a draw"}[match.winner]
        st.markdown(
            f"**{match.names[0]}** (red) vs **{match.names[1]}** (blue): {result} after {match.length} steps."
        )
        g1, g2 = st.columns([3, 2])
        g1.image(ss.bc_gif, caption="The match (loops)")
        t = g2.slider("Step", 0, match.length, 0, key="bc_scrub")
        g2.image(
            charts.match_frame(match, side, t),
            caption=f"step {t}: arena and player {side}'s 40 × 40 view",
        )
        if t < match.length:
            f, turn = match.actions[t, side]
            g2.markdown(f"Player {side} chooses **force {f:.0f}**, **turn {turn:.0f}°**.")
        st.altair_chart(charts.actions_chart(match.actions, side, t), use_container_width=False)

# --- Export ----------------------------------------------------------------------------------
with tab_export:
    explain(
        "A ready Jidi submission: `submission.py` with `my_controller(observation, "
        "action_space, is_act_continuous=True)` and the weights, read back with "
        "`torch.load(..., weights_only=True)`. It swaps the colours when "
        "`controlled_player_index` is 1, so it plays either side."
    )
    options = {}
    if ss.get("bc_policy") is not None:
        options["yours (trained here)"] = ss.bc_policy
    shipped = _shipped(str(export.SHIPPED_WEIGHTS))
    if shipped is not None:
        options["shipped (our expert's data)"] = shipped
    if options:
        which = st.radio("Policy to export", list(options), horizontal=True, key="bc_export_which")
        st.download_button(
            "Download submission.zip",
            export.submission_zip(options[which]),
            "submission.zip",
            mime="application/zip",
            key="bc_export",
        )
    st.code("python -m core.wrestling.jidi export --out submission.zip", language="bash")
    show_code(Path(export.TEMPLATE).read_text(), "Show the code: submission.py")
