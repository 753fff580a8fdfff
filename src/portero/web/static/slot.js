// The slot game page. The server decides every spin (free spins included) and pays every win;
// this script rolls the reels onto the server's window, marks what won, plays any free spins
// through one after another and lays out the paytable at the chosen bet.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const FILLER = 10; // symbols that roll past before the first reel lands; later reels roll more
  const TIMING = {
    base: { first: 900, stagger: 260, extra: 3, pause: 1200 },
    free: { first: 500, stagger: 130, extra: 2, pause: 900 },
  };
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);

  const state = {
    table: null,
    game: null,
    symbols: new Map(), // code → {code, glyph, pays}
    bet: 0,
    pending: null, // a spin request not yet answered: retried with the same spin id
    busy: false,
    skip: false, // the player asked to see the end of the spin being shown now
    finishers: new Set(), // what ends the waits under way, when the player skips
  };

  const say = window.porteroSession.say;
  const api = window.porteroSession.api;

  // --- Money and figures --------------------------------------------------------------------

  // In the table's currency unless the record says otherwise.
  function money(minor, currency, minorUnits) {
    return window.porteroSession.money(
      minor,
      currency || state.table.currency,
      minorUnits === undefined ? state.table.minor_units : minorUnits,
    );
  }

  function percent(share) {
    return new Intl.NumberFormat(lang, {
      style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2,
    }).format(share);
  }

  function number(value, digits) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: digits || 0 }).format(value);
  }

  function showBalance(minor) {
    state.table.balance = minor;
    $("balance").dataset.minor = String(minor);
    $("balance").textContent = money(minor);
  }

  function showWin(minor) {
    $("win").dataset.minor = String(minor);
    $("win").textContent = money(minor);
  }

  function message(text) {
    $("message").textContent = text;
  }

  function glyph(code) {
    const symbol = state.symbols.get(code);
    return symbol ? symbol.glyph : code;
  }

  // --- Waits the player can cut short -------------------------------------------------------

  // Resolves after `ms`, when `element`'s own transition ends if one is given, or at once when
  // the player skips. The timer also covers hidden tabs, which may never fire transitionend.
  function settle(ms, element) {
    return new Promise(function (resolve) {
      if (state.skip) return resolve();
      let timer = 0;
      const onEnd = function (event) {
        if (event.target === element) finish();
      };
      const finish = function () {
        if (!state.finishers.delete(finish)) return;
        clearTimeout(timer);
        if (element) element.removeEventListener("transitionend", onEnd);
        resolve();
      };
      state.finishers.add(finish);
      if (element) element.addEventListener("transitionend", onEnd);
      timer = setTimeout(finish, element ? ms + 300 : ms);
    });
  }

  function skip() {
    state.skip = true;
    for (const finish of Array.from(state.finishers)) finish();
  }

  function stillMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // --- The reels ----------------------------------------------------------------------------
  // Each reel is a window onto a strip of cells. To spin, the strip becomes: the landing
  // symbols, some filler, the symbols showing now; it starts scrolled to the bottom and slides
  // down until the landing symbols fill the window. Fillers are decoration only.

  function buildReels() {
    const game = state.game;
    const machine = $("machine");
    machine.style.setProperty("--reels", game.reels);
    machine.style.setProperty("--rows", game.rows);
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

  // --- The paytable and rules ---------------------------------------------------------------

  function buildLineMaps() {
    const maps = $("line-maps");
    maps.replaceChildren();
    const game = state.game;
    if (!game.lines) return;
    game.lines.forEach(function (line, index) {
      const figure = document.createElement("figure");
      figure.className = "line-map";
      const grid = document.createElement("div");
      grid.className = "mini";
      grid.style.setProperty("--reels", game.reels);
      grid.setAttribute("aria-hidden", "true");
      for (let row = 0; row < game.rows; row++) {
        for (let reel = 0; reel < game.reels; reel++) {
          const dot = document.createElement("span");
          if (line[reel] === row) dot.className = "on";
          grid.appendChild(dot);
        }
      }
      const caption = document.createElement("figcaption");
      caption.textContent = say("line", { n: index + 1 });
      figure.append(grid, caption);
      maps.appendChild(figure);
    });
  }

  function figure(list, label, value, id) {
    const term = document.createElement("dt");
    term.textContent = label;
    const detail = document.createElement("dd");
    detail.textContent = value;
    if (id) detail.id = id;
    list.append(term, detail);
    return detail;
  }

  function drawPaytable() {
    const game = state.game;
    const bet = state.bet;
    const credit = bet / game.bet_multiplier; // bet levels are whole credit values
    const shown = game.figures;

    const figures = $("figures");
    figures.replaceChildren();
    let rtp = percent(shown.rtp);
    if (game.free_spins) {
      rtp += " (" + say("rtp_split", {
        base: percent(shown.rtp_base), feature: percent(shown.rtp_feature),
      }) + ")";
    }
    figure(figures, say("rtp"), rtp, "rtp").dataset.rtp = String(shown.rtp);
    figure(figures, say("hit_frequency"), percent(shown.hit_frequency), "hit-frequency");
    figure(figures, say("max_win"), say("max_win_value", {
      multiple: number(shown.max_win, 2), amount: money(Math.round(shown.max_win * bet)),
    }), "max-win");
    if (game.free_spins && shown.feature_frequency > 0) {
      figure(figures, say("feature_frequency"), say("feature_value", {
        n: number(Math.round(1 / shown.feature_frequency)),
      }));
    }
    figure(figures, say("volatility"), number(shown.volatility, 2));

    $("play-rule").textContent = game.lines
      ? say("lines_rule", { n: game.lines.length })
      : say("ways_rule", { n: number(Math.pow(game.rows, game.reels)) });

    const paying = game.symbols.filter((symbol) => Object.keys(symbol.pays).length);
    const counts = Array.from(new Set(paying.flatMap((symbol) => Object.keys(symbol.pays))))
      .map(Number).sort((a, b) => a - b);
    $("pays-caption").textContent = say(game.lines ? "pays_lines" : "pays_ways", { bet: money(bet) });
    const head = $("pays-head");
    head.replaceChildren();
    for (const label of [say("symbol")].concat(counts.map((n) => say("count", { n: n })))) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    }
    const rows = $("pays");
    rows.replaceChildren();
    for (const symbol of paying) {
      const row = document.createElement("tr");
      row.dataset.symbol = symbol.code;
      const name = document.createElement("th");
      name.scope = "row";
      name.className = "glyph";
      name.textContent = symbol.glyph;
      row.appendChild(name);
      for (const n of counts) {
        const td = document.createElement("td");
        const pay = symbol.pays[n];
        td.dataset.count = String(n);
        if (pay) {
          td.dataset.minor = String(pay * credit);
          td.textContent = money(pay * credit);
        } else {
          td.textContent = "–";
        }
        row.appendChild(td);
      }
      rows.appendChild(row);
    }

    const rules = $("rules");
    rules.replaceChildren();
    const rule = function (text) {
      const item = document.createElement("li");
      item.textContent = text;
      rules.appendChild(item);
    };
    if (game.wild) {
      rule(say("wild_rule", { glyph: glyph(game.wild) }) +
        (game.lines ? " " + say("wild_line_rule") : ""));
    }
    if (game.scatter) {
      const scatter = game.scatter;
      const mark = glyph(scatter.symbol);
      const byCount = (table) => Object.entries(table).map(([n, v]) => [Number(n), v])
        .sort((a, b) => a[0] - b[0]);
      rule(say("scatter_rule", {
        glyph: mark,
        pays: byCount(scatter.pays).map(([n, times]) => n + " × " + mark + " = " +
          money(times * bet)).join(" · "),
      }));
      const awards = byCount(scatter.free_spins).filter(([, spins]) => spins > 0);
      if (awards.length) {
        rule(say("scatter_free", {
          awards: awards.map(([n, spins]) => n + " × " + mark + " → " + spins).join(" · "),
        }));
      }
    }
    if (game.free_spins) {
      rule(say("free_rule", { m: game.free_spins.multiplier }));
      rule(say(game.free_spins.retrigger ? "retrigger_rule" : "no_retrigger_rule"));
    }
  }

  // --- Playing ------------------------------------------------------------------------------

  // While a spin is unanswered, the bet being played stays as it is until the spin is known,
  // and Spin retries that same spin.
  function setControls() {
    $("spin").disabled = state.busy;
    $("bet").disabled = state.busy || Boolean(state.pending);
    $("spin").textContent = say(state.pending ? "retry_spin" : "spin");
  }

  // The server's refusals, in the page's language (its own messages are in English).
  function refusal(error) {
    switch (error && error.code) {
      case "insufficient_funds": return say("over_balance");
      case "bet_not_offered": return say("not_offered");
      case "game_unavailable": return say("unavailable");
      default: return window.porteroSession.walletRefusal(error) || say("refused");
    }
  }

  async function spin() {
    if (state.busy) return;
    if (!state.pending) {
      if (state.bet > state.table.balance) return message(say("over_balance"));
      state.pending = { spin_id: window.porteroSession.newRequestId(), bet: state.bet };
    }
    state.busy = true;
    setControls();
    message("");
    const sent = await window.porteroSession.sendRound("/play/api/slots/spins", state.pending);
    if (sent.outcome === "ended") return;
    if (sent.outcome === "lost") {
      state.busy = false;
      setControls();
      return message(say("spin_failed")); // Retry spin sends the same spin id
    }
    state.pending = null;
    if (sent.outcome === "refused") {
      state.busy = false;
      setControls();
      return message(refusal(sent.error));
    }
    const body = sent.body;
    setControls(); // answered: Spin again is a new spin
    try {
      await present(body);
    } finally {
      state.busy = false;
      setControls();
    }
    window.porteroSession.roundPlayed(body.responsible_gaming); // a limit may end the session
  }

  // Show a played spin: the base game, then each free spin in turn, the balance rising with
  // each win; the result element carries the spin's id once everything is shown.
  async function present(body) {
    const played = body.spin;
    const free = played.free_spins;
    const counter = $("free-spins");
    state.skip = false;
    $("skip").hidden = false;
    $("win").dataset.spin = "";
    $("win").dataset.minor = "";
    $("win").textContent = "";
    $("wins").replaceChildren();
    counter.hidden = true;
    counter.dataset.count = "";
    // The balance the wallet reported: after the whole spin, or (a win still being paid by a
    // seamless wallet) after the bet only; null when the wallet gave none.
    const known = body.balance !== null;
    const pending = played.win_pending;
    const start = pending ? body.balance : body.balance - played.win; // bet taken, nothing won
    let paid = 0;
    if (known) showBalance(start);

    const reveal = function (reelSpin) {
      highlight(reelSpin);
      listWins(reelSpin);
      paid += reelSpin.amount;
      showWin(paid);
      if (known && !pending) showBalance(start + paid);
    };

    await landReels(played.base.window, TIMING.base);
    reveal(played.base);
    if (free.length) {
      const multiplier = free[0].multiplier;
      let awarded = Math.min(played.base.free_spins_awarded, free.length);
      message(say("free_spins_won", { n: played.base.free_spins_awarded, m: multiplier }));
      await settle(TIMING.base.pause);
      $("machine").classList.add("feature");
      for (let k = 0; k < free.length; k++) {
        counter.hidden = false;
        counter.dataset.count = String(k + 1);
        counter.textContent = say("free_spin_of", { k: k + 1, n: awarded, m: multiplier });
        $("wins").replaceChildren();
        await landReels(free[k].window, TIMING.free);
        reveal(free[k]);
        if (free[k].free_spins_awarded) {
          awarded = Math.min(awarded + free[k].free_spins_awarded, free.length);
          counter.textContent = say("free_spin_of", { k: k + 1, n: awarded, m: multiplier });
          message(say("retriggered", { n: free[k].free_spins_awarded }));
        }
        if (k < free.length - 1) {
          await settle(free[k].wins.length ? TIMING.free.pause : TIMING.free.pause / 3);
        }
      }
      const won = free.reduce((sum, reelSpin) => sum + reelSpin.amount, 0);
      counter.textContent = say("free_spins_total", { n: free.length, amount: money(won) });
      $("machine").classList.remove("feature");
    }

    if (known) showBalance(body.balance);
    showWin(played.win);
    message(played.win > 0 ? say("you_win", { amount: money(played.win) }) : say("no_win"));
    if (pending && played.win > 0) message(say("play.win_pending", { amount: money(played.win) }));
    $("win").dataset.spin = played.id;
    $("skip").hidden = true;
    state.skip = false;
    addSpin(played, true);
  }

  function addSpin(record, newest) {
    const row = document.createElement("tr");
    row.dataset.spin = record.id;
    const cells = [
      new Date(record.created_at).toLocaleTimeString(lang),
      money(record.bet, record.currency, record.minor_units),
      money(record.win, record.currency, record.minor_units),
      record.free_spins.length ? String(record.free_spins.length) : "–",
    ];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
    }
    const list = $("spins");
    if (newest) list.prepend(row);
    else list.appendChild(row);
    while (list.children.length > 50) list.lastElementChild.remove();
  }

  // --- Start --------------------------------------------------------------------------------

  function fillBets() {
    const select = $("bet");
    const levels = state.table.bet_levels;
    if (!levels.includes(state.bet)) state.bet = levels[0];
    select.replaceChildren();
    for (const level of levels) {
      const option = document.createElement("option");
      option.value = String(level);
      option.textContent = money(level);
      option.selected = level === state.bet;
      select.appendChild(option);
    }
  }

  function openingWindow(spins) {
    const last = spins[0];
    if (last) return last.free_spins.length ? last.free_spins.at(-1).window : last.base.window;
    // No spin yet: the symbols in a diagonal pattern.
    const symbols = state.game.symbols;
    const view = [];
    for (let r = 0; r < state.game.reels; r++) {
      const column = [];
      for (let row = 0; row < state.game.rows; row++) {
        column.push(symbols[(r + 2 * row) % symbols.length].code);
      }
      view.push(column);
    }
    return view;
  }

  async function start() {
    const response = await api("/play/api/slots/game");
    if (!response.ok) {
      // Not offered in the session's currency: no retry can help, unlike a passing fault.
      const body = await response.json().catch(() => ({}));
      const code = body.error && body.error.code;
      return window.porteroSession.show(code === "game_unavailable" ? "unavailable" : "error");
    }
    state.table = await response.json();
    state.game = state.table.game;
    state.symbols = new Map(state.game.symbols.map((symbol) => [symbol.code, symbol]));
    if (!$("reels").children.length) {
      $("spin").addEventListener("click", spin);
      $("skip").addEventListener("click", skip);
      $("bet").addEventListener("change", function () {
        state.bet = Number(this.value);
        drawPaytable();
      });
    }
    document.title = state.game.name;
    $("game-name").textContent = state.game.name;
    buildReels();
    buildLineMaps();
    fillBets();
    drawPaytable();
    showBalance(state.table.balance);
    window.porteroSession.showWallet(state.table.wallet);
    setControls();
    let spins = [];
    const recent = await api("/play/api/slots/spins?limit=20");
    if (recent.ok) spins = (await recent.json()).data;
    $("spins").replaceChildren();
    for (const record of spins) addSpin(record, false);
    showWindow(openingWindow(spins));
  }

  window.porteroSession.onSession(function () {
    start().catch(function (failure) {
      if (failure.message !== "session ended") window.porteroSession.show("error");
    });
  });
})();
