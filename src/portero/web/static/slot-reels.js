// The slot page's reels: each reel a window onto a strip of cells that rolls onto the
// server's window, then what won marked on it (cells, paylines) and listed under the reels.
(function () {
  "use strict";
  const { $, say, state, money, number, glyph, settle, stillMotion } = window.porteroSlot;
  const SVG = "http://www.w3.org/2000/svg";
  const FILLER = 10; // symbols that roll past before the first reel lands; later reels roll more

  // --- The reels ----------------------------------------------------------------------------
  // Each reel is a window onto a strip of cells. To spin, the strip becomes: the landing
  // symbols, some filler, the symbols showing now; it starts scrolled to the bottom and slides
  // down until the landing symbols fill the window. Fillers are decoration only.

  function buildReels() {
    const game = state.game;
    // On the whole game, so that what sits under the machine is as wide as it is.
    for (const part of [$("ready"), $("machine")]) {
      part.style.setProperty("--reels", game.reels);
      part.style.setProperty("--rows", game.rows);
    }
    const reels = $("reels");
    reels.replaceChildren();
    for (let r = 0; r < game.reels; r++) {
      const reel = document.createElement("div");
      reel.className = "reel";
      const strip = document.createElement("div");
      strip.className = "strip";
      reel.appendChild(strip);
      reels.appendChild(reel);
    }
    $("paylines").setAttribute("viewBox", "0 0 " + game.reels * 100 + " " + game.rows * 100);
  }

  function cell(code, reel, row) {
    const item = document.createElement("div");
    item.className = "cell";
    item.dataset.symbol = code;
    if (row !== undefined) {
      item.dataset.reel = String(reel);
      item.dataset.row = String(row);
    }
    if (code === state.game.wild) item.classList.add("wild");
    if (state.game.scatter && code === state.game.scatter.symbol) item.classList.add("scatter");
    const face = document.createElement("span");
    face.textContent = glyph(code);
    if (/^[A-Z0-9]+$/.test(face.textContent)) item.classList.add("letter");
    item.appendChild(face);
    return item;
  }

  function filler() {
    const symbols = state.game.symbols;
    return cell(symbols[Math.floor(Math.random() * symbols.length)].code);
  }

  function describeWindow(view) {
    const rows = [];
    for (let row = 0; row < state.game.rows; row++) {
      rows.push(view.map((column) => glyph(column[row])).join(" "));
    }
    $("reels").setAttribute("aria-label", say("window", { rows: rows.join(" / ") }));
  }

  function showWindow(view) {
    Array.from($("reels").children).forEach(function (reel, r) {
      const strip = reel.firstElementChild;
      strip.style.setProperty("transition", "none");
      strip.style.removeProperty("transform");
      strip.replaceChildren(...view[r].map((code, row) => cell(code, r, row)));
    });
    describeWindow(view);
  }

  // Roll every reel onto `view`, the reels stopping one after another; resolves when all
  // have landed.
  function landReels(view, timing) {
    clearHighlights();
    if (state.skip || stillMotion()) {
      showWindow(view);
      return Promise.resolve();
    }
    const rows = state.game.rows;
    const landings = Array.from($("reels").children, function (reel, r) {
      const strip = reel.firstElementChild;
      const landing = view[r].map((code, row) => cell(code, r, row));
      const leaving = Array.from(strip.children);
      for (const old of leaving) {
        delete old.dataset.reel;
        delete old.dataset.row;
      }
      const rolling = [];
      for (let i = 0; i < FILLER + r * timing.extra; i++) rolling.push(filler());
      strip.replaceChildren(...landing, ...rolling, ...leaving);
      const total = strip.children.length;
      strip.style.setProperty("transition", "none");
      strip.style.setProperty("transform", "translateY(" + (-100 * (total - rows) / total) + "%)");
      void strip.offsetHeight; // the start position takes effect before the transition
      const ms = timing.first + r * timing.stagger;
      strip.style.setProperty("transition", "transform " + ms + "ms cubic-bezier(.3, .6, .35, 1)");
      strip.style.setProperty("transform", "translateY(0)");
      reel.classList.add("rolling");
      return settle(ms, strip).then(function () {
        reel.classList.remove("rolling");
        strip.style.setProperty("transition", "none");
        strip.style.removeProperty("transform");
        strip.replaceChildren(...landing);
      });
    });
    describeWindow(view);
    return Promise.all(landings);
  }

  function cellAt(reel, row) {
    return $("reels").querySelector(".cell[data-reel='" + reel + "'][data-row='" + row + "']");
  }

  function clearHighlights() {
    $("reels").classList.remove("has-wins");
    for (const hit of $("reels").querySelectorAll(".hit")) hit.classList.remove("hit", "scatter-hit");
    $("paylines").replaceChildren();
  }

  // A payline drawn across the whole window, from edge to edge through each reel's cell.
  function drawLine(index) {
    const line = state.game.lines[index];
    const points = line.map((row, reel) => (reel * 100 + 50) + "," + (row * 100 + 50));
    points.unshift("4," + (line[0] * 100 + 50));
    points.push((line.length * 100 - 4) + "," + (line[line.length - 1] * 100 + 50));
    const polyline = document.createElementNS(SVG, "polyline");
    polyline.setAttribute("points", points.join(" "));
    polyline.setAttribute("class", "payline");
    polyline.dataset.line = String(index);
    polyline.style.setProperty("--hue", String((index * 67) % 360));
    $("paylines").appendChild(polyline);
  }

  function highlight(reelSpin) {
    clearHighlights();
    if (!reelSpin.wins.length) return;
    $("reels").classList.add("has-wins");
    for (const win of reelSpin.wins) {
      for (const [reel, row] of win.positions) {
        const hit = cellAt(reel, row);
        if (!hit) continue;
        hit.classList.add("hit");
        if (win.kind === "scatter") hit.classList.add("scatter-hit");
      }
      if (win.kind === "line" && win.line !== null) drawLine(win.line);
    }
  }

  function listWins(reelSpin) {
    const list = $("wins");
    list.replaceChildren();
    for (const win of reelSpin.wins) {
      const values = {
        line: win.line === null ? "" : String(win.line + 1),
        count: String(win.count),
        glyph: glyph(win.symbol),
        ways: win.ways === null ? "" : number(win.ways),
        amount: money(win.amount),
      };
      const item = document.createElement("li");
      item.dataset.kind = win.kind;
      item.dataset.minor = String(win.amount);
      // One way is "1 way", not "1 ways".
      const kind = win.kind === "ways" && win.ways === 1 ? "way" : win.kind;
      item.textContent = say(kind + "_win", values);
      list.appendChild(item);
    }
  }

  Object.assign(window.porteroSlot, {
    buildReels: buildReels,
    showWindow: showWindow,
    landReels: landReels,
    highlight: highlight,
    listWins: listWins,
  });
})();
