"""Geometry of a rendered page, measured in the browser: spills, overlaps, clipped and small text.

`measure(pg)` runs one script in the page and returns plain dicts; the layout test turns them
into readable problems. Every visible leaf element of the main area (a Streamlit element
container holding no other) has a box; its drawn parts (canvas, svg, img, formula, table,
text) must stay inside that box and must not reach into any other leaf's box.
"""

MEASURE = r"""
(opts) => {
  const TOL = opts.tolerance;       // px of slack for anti-aliasing and borders
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = el => el.checkVisibility({checkVisibilityCSS: true, checkOpacity: true});
  const box = el => { const r = el.getBoundingClientRect();
    return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const real = b => b.r - b.l > 0.5 && b.b - b.t > 0.5;
  // a glyph box is taller than its ink: compare text boxes shrunk by a sixth of their height
  const ink = b => { const d = (b.b - b.t) / 6; return {l: b.l, r: b.r, t: b.t + d, b: b.b - d}; };
  const inter = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > TOL &&
                          Math.min(a.b, b.b) - Math.max(a.t, b.t) > TOL;
  const snippet = el => {
    const title = el.querySelector('svg .role-title-text, h1, h2, h3, h4, label, p, code');
    const tid = (el.firstElementChild && el.firstElementChild.getAttribute('data-testid'))
                || el.querySelector('[data-testid]')?.getAttribute('data-testid') || 'element';
    const text = (title ? title.textContent : el.textContent || '').trim().slice(0, 50);
    return `${tid} "${text}"`;
  };
  const leaves = [...main.querySelectorAll('[data-testid="stElementContainer"]')]
    .filter(e => !e.querySelector('[data-testid="stElementContainer"]') && shown(e))
    .map(e => ({el: e, box: box(e)})).filter(x => real(x.box));
  const problems = [];
  for (const leaf of leaves) {
    const parts = [];
    for (const el of leaf.el.querySelectorAll('canvas, img, svg, .katex, table')) {
      if (!shown(el) || (el.closest('svg') && el.tagName.toLowerCase() !== 'svg')) continue;
      if (el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue;
      const b = box(el); if (real(b)) parts.push({what: el.tagName.toLowerCase(), b});
    }
    for (const el of leaf.el.querySelectorAll('svg text')) {
      if (!shown(el) || !el.textContent.trim()) continue;
      const b = box(el); if (real(b)) parts.push({what: 'chart text', b, text: el.textContent});
    }
    const walker = document.createTreeWalker(leaf.el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (!n.textContent.trim() || !p || p.closest('svg, .katex-mathml') || !shown(p)) continue;
      const range = document.createRange(); range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        const b = {l: r.left, t: r.top, r: r.right, b: r.bottom};
        // a slider's value and end labels hang over its ends by design (half a label)
        const slack = p.closest('[data-testid^="stSlider"]') ? 16 : 0;
        if (real(b)) parts.push({what: 'text', b, text: n.textContent.trim(), slack});
      }
    }
    const name = snippet(leaf.el);
    // 1. drawn parts inside the element's own box
    let worst = null;
    for (const part of parts) {
      const out = Math.max(leaf.box.l - part.b.l, part.b.r - leaf.box.r,
                           leaf.box.t - part.b.t, part.b.b - leaf.box.b);
      if (out > opts.spill + (part.slack || 0) && (!worst || out > worst.out)) worst = {out, part};
    }
    if (worst) problems.push({kind: 'spill', element: name, px: Math.round(worst.out),
      detail: `${worst.part.what}${worst.part.text ? ' "' + worst.part.text.slice(0, 30) + '"' : ''}`});
    // 2. drawn parts never over another element's box
    for (const other of leaves) {
      if (other === leaf) continue;
      const hit = parts.find(part => inter(part.b, other.box));
      if (hit) problems.push({kind: 'overlap', element: name, px: 0,
        detail: `${hit.what} lies over ${snippet(other.el)}`});
    }
    // 3. text cut with an ellipsis: CSS text-overflow, or Vega's label limit
    for (const el of leaf.el.querySelectorAll('*')) {
      if (el.closest('svg') || !shown(el)) continue;
      const cs = getComputedStyle(el);
      if (cs.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim())
        problems.push({kind: 'clipped', element: name, px: el.scrollWidth - el.clientWidth,
                       detail: `"${el.textContent.trim().slice(0, 40)}" cut with an ellipsis`});
    }
    for (const t of leaf.el.querySelectorAll('svg text')) {
      if (shown(t) && t.textContent.trim().endsWith('…'))
        problems.push({kind: 'clipped', element: name, px: 0,
                       detail: `chart text "${t.textContent.trim()}" cut with an ellipsis`});
    }
    // 4. chart text that runs into other chart text (squashed axes, crowded legends)
    const texts = parts.filter(p => p.what === 'chart text');
    let crowded = null;
    for (let i = 0; i < texts.length && !crowded; i++)
      for (let j = i + 1; j < texts.length; j++)
        if (inter(ink(texts[i].b), ink(texts[j].b))) { crowded = [texts[i].text, texts[j].text]; break; }
    if (crowded) problems.push({kind: 'crowded', element: name, px: 0,
      detail: `chart text "${crowded[0].slice(0, 20)}" runs into "${crowded[1].slice(0, 20)}"`});
    // 5. chart text size on screen (font size times the svg's scale)
    let smallest = null;
    for (const t of leaf.el.querySelectorAll('svg text')) {
      if (!shown(t) || !t.textContent.trim()) continue;
      const m = t.getScreenCTM(); const scale = m ? Math.hypot(m.a, m.b) : 1;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (!smallest || px < smallest.px) smallest = {px, text: t.textContent.trim()};
    }
    if (smallest && smallest.px < opts.minFont - 0.25)
      problems.push({kind: 'small text', element: name, px: Math.round(smallest.px * 10) / 10,
        detail: `chart text "${smallest.text.slice(0, 30)}" is ${smallest.px.toFixed(1)} px < ${opts.minFont}`});
  }
  // the first main visual, from the top of the scrolled-to-top main area
  const visuals = [...main.querySelectorAll(opts.visuals)].filter(shown).map(box).filter(real);
  const top = main.getBoundingClientRect().top;
  const first = visuals.length ? Math.min(...visuals.map(b => b.t)) : null;
  return {problems, leaves: leaves.length, firstVisual: first === null ? null : first - top};
}
"""

VISUALS = (
    '[data-testid="stVegaLiteChart"], [data-testid="stGraphVizChart"], '
    '[data-testid="stImage"], [data-testid="stDataFrame"], [data-testid="stHtml"] img'
)


def measure(pg, min_font: float, tolerance: float = 2.0, spill: float = 5.0) -> dict:
    """Scroll the main area to the top and measure it: problems, leaf count, first visual's top."""
    pg.evaluate(
        """() => { for (const el of document.querySelectorAll('[data-testid="stMain"], '
                   + '[data-testid="stAppScrollToBottomContainer"], section.main'))
                     el.scrollTop = 0; window.scrollTo(0, 0); }"""
    )
    return pg.evaluate(
        MEASURE, {"tolerance": tolerance, "spill": spill, "minFont": min_font, "visuals": VISUALS}
    )
