"""Geometry of a rendered page, measured in the browser: spills, overlaps, clipped and small text.

`measure(pg)` runs one script in the page and returns plain dicts; the layout test turns them
into readable problems. Every visible leaf element of the main area (a Streamlit element
container holding no other) has a box; its drawn parts (canvas, svg, img, formula, table,
text) must stay inside that box and must not reach into any other leaf's box.

Text drawn into canvases (data grids, any chart drawn on a canvas) is invisible to the DOM:
`CANVAS_TEXT`, installed before the page loads, notes every string a canvas draws, with the
clip it was drawn under, so `measure` also finds grid cells and headers cut by their column
or by the grid's edge. `slide` measures the slide rule: how much of the main picture (the
largest canvas/svg/img, or any at least half its size) lies on the first screen.
"""

# Installed with `context.add_init_script`: every canvas keeps the last string drawn at each
# place, its width and the clip rectangle (in canvas pixels) it was drawn under, until that
# place is cleared (clearRect, or the canvas sized anew).
CANVAS_TEXT = r"""
(() => {
  const P = CanvasRenderingContext2D.prototype;
  const drawn = window.__canvasText = new WeakMap();
  const { fillText, rect, clip, save, restore, clearRect } = P;
  // what is cleared is no longer drawn: forget the strings anchored there (a chart redrawn at
  // another size left its old labels noted at their old places)
  P.clearRect = function (x, y, w, h) {
    const t = this.getTransform(), texts = drawn.get(this.canvas);
    if (texts) {
      const l = x * t.a + t.e, r = (x + w) * t.a + t.e, top = y * t.d + t.f, b = (y + h) * t.d + t.f;
      for (const [key, d] of texts)
        if (d.at >= l && d.at <= r && d.y >= top && d.y <= b) texts.delete(key);
    }
    return clearRect.apply(this, arguments);
  };
  for (const side of ['width', 'height']) {  // sizing a canvas clears it
    const own = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, side);
    Object.defineProperty(HTMLCanvasElement.prototype, side, { ...own,
      set(v) { drawn.delete(this); return own.set.call(this, v); } });
  }
  P.rect = function (x, y, w, h) {
    const t = this.getTransform();
    this.__rect = { l: x * t.a + t.e, r: (x + w) * t.a + t.e };
    return rect.apply(this, arguments);
  };
  P.clip = function () {
    if (this.__rect) {
      const c = this.__clip, r = this.__rect;
      this.__clip = c ? { l: Math.max(c.l, r.l), r: Math.min(c.r, r.r) } : r;
    }
    return clip.apply(this, arguments);
  };
  P.save = function () { (this.__stack = this.__stack || []).push(this.__clip);
                         return save.apply(this, arguments); };
  P.restore = function () { this.__clip = (this.__stack || []).pop();
                            return restore.apply(this, arguments); };
  P.fillText = function (text, x, y) {
    const t = this.getTransform(), s = String(text);
    if (s.trim()) {
      const w = this.measureText(s).width * t.a, at = x * t.a + t.e;
      const align = this.textAlign;
      const l = align === 'right' || align === 'end' ? at - w
              : align === 'center' ? at - w / 2 : at;
      if (!drawn.has(this.canvas)) drawn.set(this.canvas, new Map());
      const ay = y * t.d + t.f;
      drawn.get(this.canvas).set(`${Math.round(at)},${Math.round(ay)}`,
        { text: s, l, r: l + w, at, y: ay, clip: this.__clip ? { ...this.__clip } : null });
    }
    return fillText.apply(this, arguments);
  };
})();
"""

MEASURE = r"""
(opts) => {
  const TOL = opts.tolerance;       // px of slack for anti-aliasing and borders
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = el => el.checkVisibility({checkVisibilityCSS: true, checkOpacity: true});
  // an element's box as seen: cut by every scrolling (or clipping) box it sits in
  const box = el => { const r = el.getBoundingClientRect();
    return cut({l: r.left, t: r.top, r: r.right, b: r.bottom}, el); };
  const cut = (b, el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (!/(auto|scroll)/.test(cs.overflowY + cs.overflowX)) continue;  // a box one scrolls
      if (a.scrollHeight <= a.clientHeight + 1 && a.scrollWidth <= a.clientWidth + 1) continue;
      const c = a.getBoundingClientRect();
      b.l = Math.max(b.l, c.left); b.t = Math.max(b.t, c.top);
      b.r = Math.min(b.r, c.right); b.b = Math.min(b.b, c.bottom);
    }
    return b; };
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
        // text in a box one scrolls sideways (a long formula, a table): what the box shows
        const b = cut({l: r.left, t: r.top, r: r.right, b: r.bottom}, n);
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
    const canvasText = window.__canvasText;
    for (const c of canvasText ? leaf.el.querySelectorAll('canvas') : []) {
      if (!shown(c) || !canvasText.has(c)) continue;
      for (const d of canvasText.get(c).values()) {
        const right = Math.min(c.width, d.clip ? d.clip.r : c.width);
        const cut = d.text.endsWith('…') ? 'cut with an ellipsis'
                  : d.r > right + 1 ? `cut off (${Math.round(d.r - right)} px past its column)` : null;
        if (cut && d.l < c.width) {
          problems.push({kind: 'clipped', element: name, px: Math.round(d.r - right),
                         detail: `canvas text "${d.text.slice(0, 40)}" ${cut}`});
          break;
        }
      }
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
    _to_top(pg)
    return pg.evaluate(
        MEASURE, {"tolerance": tolerance, "spill": spill, "minFont": min_font, "visuals": VISUALS}
    )


SLIDE = r"""
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = el => el.checkVisibility({checkVisibilityCSS: true, checkOpacity: true});
  // what of a picture shows: its box cut by the scrolling boxes it sits in (a tall graph in a
  // box of its own counts only the part the box shows) and by the window
  const seen = el => { const r = el.getBoundingClientRect();
    const b = {l: r.left, t: r.top, r: r.right, b: r.bottom};
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (!/(auto|scroll)/.test(cs.overflowY + cs.overflowX)) continue;  // a box one scrolls
      const c = a.getBoundingClientRect();
      b.l = Math.max(b.l, c.left); b.t = Math.max(b.t, c.top);
      b.r = Math.min(b.r, c.right); b.b = Math.min(b.b, c.bottom);
    }
    return b; };
  const pics = [...main.querySelectorAll('canvas, svg, img')]
    .filter(el => shown(el) && !(el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')))
    .map(el => { const r = el.getBoundingClientRect();
                 return {el, r, s: seen(el), area: r.width * r.height}; })
    .filter(p => p.area > 2000);   // icons are not pictures
  if (!pics.length) return {share: null, picture: null};
  const largest = Math.max(...pics.map(p => p.area));
  const W = window.innerWidth, H = window.innerHeight;
  let best = null;
  for (const p of pics.filter(p => p.area >= largest / 2)) {
    const w = Math.max(0, Math.min(p.s.r, W) - Math.max(p.s.l, 0));
    const h = Math.max(0, Math.min(p.s.b, H) - Math.max(p.s.t, 0));
    const share = (w * h) / p.area;
    if (!best || share > best.share) best = {share, p};
  }
  const holder = best.p.el.closest('[data-testid="stElementContainer"]') || best.p.el;
  const title = holder.querySelector('svg .role-title-text, text.title, p, h3');
  return {share: best.share, top: best.p.r.top, height: best.p.r.height,
          picture: `${best.p.el.tagName.toLowerCase()} ${Math.round(best.p.r.width)}x${Math.round(best.p.r.height)}`
                   + (title ? ` "${title.textContent.trim().slice(0, 40)}"` : '')};
}
"""


def slide(pg) -> dict:
    """The slide rule's figures with the main area scrolled to the top: the share of the main
    picture on the first screen (None when the view has no picture), its top and a name."""
    _to_top(pg)
    return pg.evaluate(SLIDE)


def _to_top(pg) -> None:
    pg.evaluate(
        """() => { for (const el of document.querySelectorAll('[data-testid="stMain"], '
                   + '[data-testid="stAppScrollToBottomContainer"], section.main'))
                     el.scrollTop = 0; window.scrollTo(0, 0); }"""
    )
