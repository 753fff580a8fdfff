// The slot page's paytable and rules, laid out at the chosen bet: the published figures, what
// each symbol pays in money, the wild, the scatter and free spins, the paylines' maps.
(function () {
  "use strict";
  const { $, say, state, money, percent, number, glyph } = window.porteroSlot;

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

  Object.assign(window.porteroSlot, { buildLineMaps: buildLineMaps, drawPaytable: drawPaytable });
})();
