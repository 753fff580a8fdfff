// The roulette layout: the bets it offers, its cells (one grid, two orientations: wide screens
// lay the numbers out in 12 columns, phones in 12 rows; each cell carries its place in both as
// CSS custom properties, read by roulette.css), the chips on it and, after a spin, the winning
// number and the bets that won.
(function () {
  "use strict";
  const R = (window.porteroRoulette = window.porteroRoulette || {});
  const say = window.porteroSession.say;
  const INSIDE_TYPES = new Set(["straight", "split", "street", "corner", "six_line"]);

  function street(row) {
    return [3 * row + 1, 3 * row + 2, 3 * row + 3];
  }

  const INSIDE_BETS = (function () {
    const sets = { 1: [], 2: [[0, 1], [0, 2], [0, 3]], 3: [[0, 1, 2], [0, 2, 3]], 4: [[0, 1, 2, 3]], 6: [] };
    for (let n = 0; n <= 36; n++) sets[1].push([n]);
    for (let n = 1; n <= 35; n++) if (n % 3 !== 0) sets[2].push([n, n + 1]);
    for (let n = 1; n <= 33; n++) sets[2].push([n, n + 3]);
    for (let r = 0; r < 12; r++) sets[3].push(street(r));
    for (let n = 1; n <= 32; n++) if (n % 3 !== 0) sets[4].push([n, n + 1, n + 3, n + 4]);
    for (let r = 0; r < 11; r++) sets[6].push(street(r).concat(street(r + 1)));
    const names = { 1: "straight", 2: "split", 3: "street", 4: "corner", 6: "six_line" };
    const byKey = new Map();
    for (const [size, list] of Object.entries(sets)) {
      for (const numbers of list) byKey.set(numbers.join("-"), names[size]);
    }
    return byKey;
  })();

  function insideBet(numbers) {
    const sorted = Array.from(numbers).sort((a, b) => a - b);
    const type = INSIDE_BETS.get(sorted.join("-"));
    return type ? { type: type, numbers: sorted } : null;
  }

  function keyOf(bet) {
    return bet.type + ":" + (bet.numbers ? bet.numbers.join("-") : bet.target || "");
  }

  // A bet as a round kept it (every bet lists the numbers it covers), as the page sends it.
  function fromRound(bet) {
    const placed = { type: bet.type, amount: bet.amount };
    if (INSIDE_TYPES.has(bet.type)) placed.numbers = bet.numbers.slice().sort((a, b) => a - b);
    else if (bet.target) placed.target = bet.target;
    return placed;
  }

  function betName(bet) {
    if (bet.type === "dozen") return say("dozen", { n: bet.target });
    if (bet.type === "column") return say("column_n", { n: bet.target });
    if (bet.numbers && bet.numbers.length <= 6) return say(bet.type) + " " + bet.numbers.join("-");
    return say(bet.type);
  }

  // `options`: onPick(bet) when a cell is pressed; money(minor) and compact(minor) format.
  function Board(element, options) {
    this.element = element;
    this.options = options;
    this.selection = new Set();
  }

  Board.prototype.cell = function (label, bet, wide, tall, classes) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cell " + (classes || "");
    const text = document.createElement("span");
    text.className = "label";
    text.textContent = label;
    button.appendChild(text);
    button.dataset.bet = keyOf(bet);
    button.dataset.name = betName(bet);
    button.setAttribute("aria-label", button.dataset.name);
    const places = { h: wide, v: tall };
    for (const [axis, place] of Object.entries(places)) {
      button.style.setProperty("--" + axis + "c", place[0]);
      button.style.setProperty("--" + axis + "r", place[1]);
      button.style.setProperty("--" + axis + "cs", place[2] || 1);
      button.style.setProperty("--" + axis + "rs", place[3] || 1);
    }
    const options = this.options;
    button.addEventListener("click", function () { options.onPick(bet); });
    const chip = document.createElement("span");
    chip.className = "chip-on";
    chip.hidden = true;
    chip.setAttribute("aria-hidden", "true"); // the button's label says the amount
    button.appendChild(chip);
    this.element.appendChild(button);
  };

  Board.prototype.build = function () {
    // Zero: wide (col 1, rows 1-3); tall (cols 3-5, row 1).
    this.cell("0", { type: "straight", numbers: [0] }, [1, 1, 1, 3], [3, 1, 3, 1], "green");
    for (let n = 1; n <= 36; n++) {
      const row = Math.floor((n - 1) / 3);
      const col = (n - 1) % 3;
      this.cell(String(n), { type: "straight", numbers: [n] }, [row + 2, 3 - col],
        [col + 3, row + 2], R.colorOf(n));
    }
    for (let c = 0; c < 3; c++) {
      this.cell(say("column"), { type: "column", target: c + 1 }, [14, 3 - c], [c + 3, 14],
        "outside col-bet");
    }
    for (let d = 0; d < 3; d++) {
      this.cell(say("dozen", { n: d + 1 }), { type: "dozen", target: d + 1 },
        [2 + 4 * d, 4, 4, 1], [2, 2 + 4 * d, 1, 4], "outside");
    }
    const evenMoney = ["low", "even", "red", "black", "odd", "high"];
    const board = this;
    evenMoney.forEach(function (type, i) {
      board.cell(say(type), { type: type }, [2 + 2 * i, 5, 2, 1], [1, 2 + 2 * i, 1, 2],
        "outside " + (type === "red" || type === "black" ? type : ""));
    });
  };

  Board.prototype.toggle = function (number) {
    if (this.selection.has(number)) this.selection.delete(number);
    else this.selection.add(number);
    for (const button of this.element.querySelectorAll("[data-bet^='straight:']")) {
      const selected = this.selection.has(Number(button.dataset.bet.slice("straight:".length)));
      button.classList.toggle("selected", selected);
      button.setAttribute("aria-pressed", String(selected));
    }
  };

  Board.prototype.clearSelection = function () {
    for (const n of Array.from(this.selection)) this.toggle(n);
  };

  // `bets`: the bets on the table (key → bet). `settled`: the last round as the board shows
  // it until the player bets again ({number, bets: [bet with `returned`]}), or null.
  // `winner`: the number the last spin gave, marked until the next spin (or null).
  Board.prototype.draw = function (bets, settled, winner) {
    const shown = new Map(); // key → {amount, won, lost}
    const covering = new Map(); // straight key → won (inside combinations show on every number)
    const add = function (bet, outcome) {
      const key = keyOf(bet);
      shown.set(key, { amount: bet.amount, won: outcome === "won", lost: outcome === "lost" });
      if (bet.numbers && bet.numbers.length > 1) {
        for (const n of bet.numbers) {
          const k = "straight:" + n;
          covering.set(k, covering.get(k) || outcome === "won");
        }
      }
    };
    if (bets.size === 0 && settled) {
      for (const bet of settled.bets) add(bet, bet.returned > 0 ? "won" : "lost");
    }
    for (const bet of bets.values()) add(bet, null);
    const money = this.options.money;
    const compact = this.options.compact;
    for (const button of this.element.querySelectorAll(".cell")) {
      const key = button.dataset.bet;
      const chip = button.querySelector(".chip-on");
      const spot = shown.get(key);
      chip.hidden = !spot;
      chip.textContent = spot ? compact(spot.amount) : "";
      chip.classList.toggle("lost", Boolean(spot && spot.lost));
      button.classList.toggle("has-chip", Boolean(spot));
      button.setAttribute("aria-label", spot && !spot.lost && !spot.won
        ? say("bet_on", { name: button.dataset.name, amount: money(spot.amount) })
        : button.dataset.name);
      button.classList.toggle("covered", covering.has(key));
      button.classList.toggle("won", Boolean((spot && spot.won) || covering.get(key)));
      button.classList.toggle("winner", winner !== null && key === "straight:" + winner);
    }
  };

  R.board = {
    Board: Board,
    insideBet: insideBet,
    keyOf: keyOf,
    betName: betName,
    fromRound: fromRound,
  };
})();
