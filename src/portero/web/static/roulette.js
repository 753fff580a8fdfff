// The roulette table page. The server decides every number and settles every bet; this script
// lays the table out, collects bets, animates the wheel onto the server's number and lets the
// player verify any round from its revealed seeds.
(function () {
  "use strict";
  const WHEEL_ORDER = [
    0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10,
    5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7, 28, 12, 35, 3, 26,
  ];
  const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
  const ACCEPT_BELOW = 4294967289; // 37 × 116,080,197: the last whole block of 37 in 2^32
  const SPIN_MS = 3600;
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);

  const state = {
    table: null,
    chip: 0,
    bets: new Map(), // spot key → {type, numbers?, target?, amount}
    history: [], // {key, amount} of each chip placed, for undo
    selection: new Set(),
    pending: null, // a spin request not yet answered: retried with the same round id
    busy: false,
    rotation: 0,
  };

  const say = window.porteroSession.say;
  const api = window.porteroSession.api;

  function colorOf(n) {
    return n === 0 ? "green" : RED.has(n) ? "red" : "black";
  }

  // --- Bets ---------------------------------------------------------------------------------

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

  function totalStake() {
    let total = 0;
    for (const bet of state.bets.values()) total += bet.amount;
    return total;
  }

  // While a spin is unanswered the bets on the table are the ones being played: they stay
  // frozen until the round is known, and Spin retries that same round.
  function frozen() {
    if (state.busy) return true;
    if (state.pending) {
      message(say("spin_failed"));
      return true;
    }
    return false;
  }

  function addChip(bet) {
    if (frozen()) return;
    const key = keyOf(bet);
    const placed = state.bets.get(key);
    const amount = (placed ? placed.amount : 0) + state.chip;
    if (amount > state.table.limits.max_bet) {
      return message(say("over_max", { max: money(state.table.limits.max_bet) }));
    }
    if (totalStake() + state.chip > state.table.balance) return message(say("over_balance"));
    state.bets.set(key, Object.assign({}, bet, { amount: amount }));
    state.history.push({ key: key, amount: state.chip }); // undo takes back exactly this chip
    message("");
    drawBets();
  }

  function undo() {
    if (frozen()) return;
    const last = state.history.pop();
    if (!last) return;
    const bet = state.bets.get(last.key);
    const left = bet.amount - last.amount;
    if (left > 0) state.bets.set(last.key, Object.assign({}, bet, { amount: left }));
    else state.bets.delete(last.key);
    drawBets();
  }

  function clearBets() {
    if (frozen()) return;
    state.bets.clear();
    state.history = [];
    drawBets();
  }

  // --- The layout ---------------------------------------------------------------------------
  // One grid, two orientations: wide screens lay the numbers out in 12 columns, phones in 12
  // rows. Each cell carries its place in both (CSS custom properties, read by roulette.css).

  function cell(label, bet, wide, tall, classes) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cell " + (classes || "");
    button.textContent = label;
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
    button.addEventListener("click", function () {
      if (frozen()) return;
      if ($("combine").checked && bet.numbers && bet.numbers.length === 1) {
        toggleSelection(bet.numbers[0]);
      } else {
        addChip(bet);
      }
    });
    const chip = document.createElement("span");
    chip.className = "chip-on";
    chip.hidden = true;
    chip.setAttribute("aria-hidden", "true"); // the button's label says the amount
    button.appendChild(chip);
    $("board").appendChild(button);
    return button;
  }

  function buildBoard() {
    // Zero: wide (col 1, rows 1-3); tall (cols 3-5, row 1).
    cell("0", { type: "straight", numbers: [0] }, [1, 1, 1, 3], [3, 1, 3, 1], "green");
    for (let n = 1; n <= 36; n++) {
      const row = Math.floor((n - 1) / 3);
      const col = (n - 1) % 3;
      cell(String(n), { type: "straight", numbers: [n] }, [row + 2, 3 - col], [col + 3, row + 2],
        colorOf(n));
    }
    for (let c = 0; c < 3; c++) {
      cell(say("column"), { type: "column", target: c + 1 }, [14, 3 - c], [c + 3, 14],
        "outside col-bet");
    }
    for (let d = 0; d < 3; d++) {
      cell(say("dozen", { n: d + 1 }), { type: "dozen", target: d + 1 },
        [2 + 4 * d, 4, 4, 1], [2, 2 + 4 * d, 1, 4], "outside");
    }
    const evenMoney = ["low", "even", "red", "black", "odd", "high"];
    evenMoney.forEach(function (type, i) {
      cell(say(type), { type: type }, [2 + 2 * i, 5, 2, 1], [1, 2 + 2 * i, 1, 2],
        "outside " + (type === "red" || type === "black" ? type : ""));
    });
  }

  function toggleSelection(number) {
    if (state.selection.has(number)) state.selection.delete(number);
    else state.selection.add(number);
    for (const button of $("board").querySelectorAll(".cell")) {
      if (!button.dataset.bet.startsWith("straight:")) continue;
      const selected = state.selection.has(Number(button.dataset.bet.slice("straight:".length)));
      button.classList.toggle("selected", selected);
      button.setAttribute("aria-pressed", String(selected));
    }
    $("place-combination").hidden = state.selection.size === 0;
  }

  function placeCombination() {
    const bet = insideBet(state.selection);
    if (!bet) return message(say("illegal"));
    addChip(bet);
    for (const n of Array.from(state.selection)) toggleSelection(n);
  }

  function drawBets() {
    const onSpot = new Map();
    for (const [key, bet] of state.bets) onSpot.set(key, bet.amount);
    // Inside combinations show their chip on every number they cover.
    const covering = new Map();
    for (const bet of state.bets.values()) {
      if (bet.numbers && bet.numbers.length > 1) {
        for (const n of bet.numbers) covering.set("straight:" + n, true);
      }
    }
    for (const button of $("board").querySelectorAll(".cell")) {
      const chip = button.querySelector(".chip-on");
      const amount = onSpot.get(button.dataset.bet);
      chip.hidden = !amount;
      chip.textContent = amount ? compact(amount) : "";
      button.setAttribute("aria-label", amount
        ? say("bet_on", { name: button.dataset.name, amount: money(amount) })
        : button.dataset.name);
      button.classList.toggle("covered", covering.has(button.dataset.bet));
    }
    const list = $("placed");
    list.replaceChildren();
    for (const bet of state.bets.values()) {
      const item = document.createElement("li");
      item.textContent = describeBet(bet);
      list.appendChild(item);
    }
    const stake = totalStake();
    $("stake").dataset.minor = String(stake);
    $("stake").textContent = money(stake);
  }

  // --- Money --------------------------------------------------------------------------------

  // In the table's currency unless the round says otherwise.
  function money(minor, currency, minorUnits) {
    return window.porteroSession.money(
      minor,
      currency || state.table.currency,
      minorUnits === undefined ? state.table.minor_units : minorUnits,
    );
  }

  function signed(minor) {
    // U+2212, not a hyphen: the sign of an amount, as the balance's digits are set.
    return (minor > 0 ? "+" : minor < 0 ? "\u2212" : "") + money(Math.abs(minor));
  }

  function compact(minor) {
    const units = minor / Math.pow(10, state.table.minor_units);
    return new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 2 })
      .format(units);
  }

  function showBalance(minor) {
    state.table.balance = minor;
    $("balance").dataset.minor = String(minor);
    $("balance").textContent = money(minor);
  }

  function message(text) {
    $("message").textContent = text;
  }

  // --- The wheel ----------------------------------------------------------------------------

  const STEP = 360 / WHEEL_ORDER.length;

  function buildWheel() {
    const svg = $("wheel");
    const ns = "http://www.w3.org/2000/svg";
    const group = document.createElementNS(ns, "g");
    group.id = "wheel-face";
    const point = (angle, radius) => {
      const rad = (angle - 90) * Math.PI / 180;
      return (radius * Math.cos(rad)).toFixed(2) + " " + (radius * Math.sin(rad)).toFixed(2);
    };
    WHEEL_ORDER.forEach(function (n, i) {
      const from = i * STEP - STEP / 2;
      const to = from + STEP;
      const slice = document.createElementNS(ns, "path");
      slice.setAttribute("d", "M " + point(from, 62) + " L " + point(from, 96) +
        " A 96 96 0 0 1 " + point(to, 96) + " L " + point(to, 62) + " A 62 62 0 0 0 " +
        point(from, 62) + " Z");
      slice.setAttribute("class", "pocket " + colorOf(n));
      group.appendChild(slice);
      const label = document.createElementNS(ns, "text");
      const [x, y] = point(i * STEP, 84).split(" ");
      label.setAttribute("x", x);
      label.setAttribute("y", y);
      label.setAttribute("transform", "rotate(" + (i * STEP) + " " + x + " " + y + ")");
      label.setAttribute("class", "pocket-label");
      label.textContent = String(n);
      group.appendChild(label);
    });
    const hub = document.createElementNS(ns, "circle");
    hub.setAttribute("r", "60");
    hub.setAttribute("class", "hub");
    group.appendChild(hub);
    svg.appendChild(group);
  }

  // Turn the wheel forward until `number`'s pocket is under the pointer; resolves on landing.
  function spinWheelTo(number) {
    const face = $("wheel-face");
    const index = WHEEL_ORDER.indexOf(number);
    const current = state.rotation % 360;
    const wanted = (360 - index * STEP) % 360;
    state.rotation += 4 * 360 + ((wanted - current + 360) % 360);
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    face.style.setProperty("transition", still ? "none" : "transform " + SPIN_MS + "ms " +
      "cubic-bezier(.15, .85, .25, 1)");
    face.style.setProperty("transform", "rotate(" + state.rotation + "deg)");
    return new Promise(function (resolve) {
      if (still) return resolve();
      let done = false;
      const finish = function () {
        if (!done) { done = true; resolve(); }
      };
      face.addEventListener("transitionend", finish, { once: true });
      setTimeout(finish, SPIN_MS + 300); // a hidden tab may never fire transitionend
    });
  }

  // --- Playing ------------------------------------------------------------------------------

  function setPending(request) {
    state.pending = request;
    $("client-seed").disabled = Boolean(request);
    $("spin").textContent = say(request ? "retry_spin" : "spin");
  }

  // The server's refusals, in the page's language (its own messages are in English).
  function refusal(error) {
    const limits = state.table.limits;
    switch (error && error.code) {
      case "bet_illegal": return say("illegal");
      case "bet_out_of_limits":
        return say("out_of_limits", { min: money(limits.min_bet), max: money(limits.max_bet) });
      case "insufficient_funds": return say("over_balance");
      default: return window.porteroSession.walletRefusal(error) || say("refused");
    }
  }

  async function spin() {
    if (state.busy) return;
    if (!state.pending) {
      if (state.bets.size === 0) return message(say("no_bets"));
      const request = {
        round_id: window.porteroSession.newRequestId(),
        bets: Array.from(state.bets.values()),
      };
      const seed = $("client-seed").value.trim();
      if (seed && seed !== state.table.next.client_seed) request.client_seed = seed;
      setPending(request);
    }
    state.busy = true;
    $("spin").disabled = true;
    message("");
    const sent = await window.porteroSession.sendRound("/play/api/roulette/spins", state.pending);
    if (sent.outcome === "ended") return;
    if (sent.outcome === "lost") {
      state.busy = false;
      $("spin").disabled = false;
      return message(say("spin_failed")); // Spin again retries the same round id
    }
    setPending(null);
    if (sent.outcome === "refused") {
      state.busy = false;
      $("spin").disabled = false;
      return message(refusal(sent.error));
    }
    const body = sent.body;
    await spinWheelTo(body.round.number);
    settle(body);
    state.busy = false;
    $("spin").disabled = false;
    window.porteroSession.roundPlayed(body.responsible_gaming); // a limit may end the session
  }

  function settle(body) {
    const played = body.round;
    const result = $("result");
    result.textContent = String(played.number);
    result.className = "result " + played.color;
    result.dataset.number = String(played.number);
    result.dataset.round = played.id;
    if (body.balance !== null) showBalance(body.balance);
    // The return (stakes back included) and the net, both: "you win 10" after staking 30
    // on a round that returned 10 would hide a loss of 20.
    const net = played.total_return - played.total_stake;
    const figures = {
      number: played.number,
      amount: money(played.total_return),
      staked: money(played.total_stake),
      net: signed(net),
    };
    message(say(played.total_return > 0 ? "win" : "no_win", figures));
    $("message").dataset.net = String(net);
    $("message").dataset.returned = String(played.total_return);
    if (played.win_pending && played.total_return > 0) {
      message(say("play.win_pending", { amount: money(played.total_return) }));
    }
    state.table.last_numbers.unshift(played.number);
    state.table.last_numbers = state.table.last_numbers.slice(0, 12);
    drawLastNumbers();
    showCommitment(body.next);
    addRound(played, true);
  }

  function drawLastNumbers() {
    const list = $("last-numbers");
    list.replaceChildren();
    for (const n of state.table.last_numbers) {
      const item = document.createElement("li");
      item.className = colorOf(n);
      item.textContent = String(n);
      list.appendChild(item);
    }
  }

  function showCommitment(next) {
    state.table.next = next;
    $("commitment").textContent = next.server_seed_hash;
    $("nonce").textContent = String(next.nonce);
    if (document.activeElement !== $("client-seed")) $("client-seed").value = next.client_seed;
  }

  function betName(bet) {
    if (bet.type === "dozen") return say("dozen", { n: bet.target });
    if (bet.type === "column") return say("column_n", { n: bet.target });
    if (bet.numbers && bet.numbers.length <= 6) return say(bet.type) + " " + bet.numbers.join("-");
    return say(bet.type);
  }

  function describeBet(bet, currency, minorUnits) {
    return betName(bet) + " × " + money(bet.amount, currency, minorUnits);
  }

  function addRound(played, newest) {
    const row = document.createElement("tr");
    row.dataset.round = played.id;
    const cells = [
      new Date(played.created_at).toLocaleTimeString(lang),
      played.bets.map((bet) => describeBet(bet, played.currency, played.minor_units)).join(", "),
      String(played.number),
      money(played.total_return, played.currency, played.minor_units),
    ];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
    }
    const seeds = document.createElement("td");
    seeds.className = "seeds";
    const fair = played.fairness;
    seeds.textContent = fair.server_seed + " / " + fair.client_seed + " / " + fair.nonce + " ";
    const check = document.createElement("button");
    check.type = "button";
    check.className = "quiet verify";
    check.textContent = say("verify");
    const verdict = document.createElement("span");
    verdict.className = "verdict";
    check.addEventListener("click", async function () {
      verdict.textContent = await verify(fair, played.number);
    });
    seeds.append(check, verdict);
    row.appendChild(seeds);
    const body = $("rounds");
    if (newest) body.prepend(row);
    else body.appendChild(row);
  }

  // --- Verifying a round, independently of the server (WebCrypto) ----------------------------

  function hexBytes(hex) {
    return new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
  }

  function toHex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function drawNumber(serverSeed, clientSeed, nonce) {
    const key = await crypto.subtle.importKey("raw", hexBytes(serverSeed),
      { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    for (let attempt = 0; ; attempt++) {
      const message = clientSeed + ":" + nonce + (attempt ? ":" + attempt : "");
      const digest = new DataView(await crypto.subtle.sign("HMAC", key,
        new TextEncoder().encode(message)));
      for (let offset = 0; offset < 32; offset += 4) {
        const word = digest.getUint32(offset, false);
        if (word < ACCEPT_BELOW) return word % 37;
      }
    }
  }

  async function verify(fair, shown) {
    if (!(window.crypto && crypto.subtle)) return say("no_crypto");
    const hash = toHex(await crypto.subtle.digest("SHA-256", hexBytes(fair.server_seed)));
    if (hash !== fair.server_seed_hash) return say("commitment_mismatch");
    const number = await drawNumber(fair.server_seed, fair.client_seed, fair.nonce);
    return say(number === shown ? "verified" : "mismatch", { number: number });
  }

  // --- Start --------------------------------------------------------------------------------

  async function start() {
    const response = await api("/play/api/roulette/table");
    if (!response.ok) return window.porteroSession.show("error");
    state.table = await response.json();
    window.porteroSession.showWallet(state.table.wallet);
    if (!$("wheel-face")) {
      buildWheel();
      buildBoard();
      $("spin").addEventListener("click", spin);
      $("clear").addEventListener("click", clearBets);
      $("undo").addEventListener("click", undo);
      $("place-combination").addEventListener("click", placeCombination);
      $("combine").addEventListener("change", function () {
        if (!this.checked) for (const n of Array.from(state.selection)) toggleSelection(n);
        for (const button of $("board").querySelectorAll("[data-bet^='straight:']")) {
          if (this.checked) button.setAttribute("aria-pressed", "false");
          else button.removeAttribute("aria-pressed");
        }
      });
    }
    const chips = $("chips");
    chips.replaceChildren();
    state.table.chips.forEach(function (value, i) {
      const label = document.createElement("label");
      label.className = "chip";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "chip";
      input.value = String(value);
      input.checked = i === 0;
      input.addEventListener("change", () => { state.chip = value; });
      const face = document.createElement("span");
      face.textContent = compact(value);
      label.append(input, face);
      chips.appendChild(label);
    });
    state.chip = state.table.chips[0];
    $("limits").textContent = money(state.table.limits.min_bet) + " – " +
      money(state.table.limits.max_bet);
    showBalance(state.table.balance);
    showCommitment(state.table.next);
    drawLastNumbers();
    drawBets();
    const rounds = await api("/play/api/roulette/rounds?limit=20");
    if (rounds.ok) {
      $("rounds").replaceChildren();
      for (const played of (await rounds.json()).data) addRound(played, false);
    }
  }

  window.porteroSession.onSession(function () {
    start().catch(function (failure) {
      if (failure.message !== "session ended") window.porteroSession.show("error");
    });
  });
})();
