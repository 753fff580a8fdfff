// The roulette table page. The server decides every number and settles every bet; this script
// collects bets, animates the wheel onto the server's number, shows what the round did (the
// number, the winning bets, the return and the net) where the player is looking, and lets the
// player verify any round from its revealed seeds. The wheel is roulette-wheel.js, the layout
// roulette-board.js.
(function () {
  "use strict";
  const R = window.porteroRoulette;
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);
  const say = window.porteroSession.say;
  const api = window.porteroSession.api;
  const keyOf = R.board.keyOf;

  const state = {
    table: null,
    chip: 0,
    bets: new Map(), // spot key → {type, numbers?, target?, amount}
    history: [], // the bets before each change, for undo
    lastBets: [], // the last round's bets, for rebet
    settled: null, // the last round, shown on the board until the player bets again
    winner: null, // the last number, marked on the board until the next spin
    pending: null, // a spin request not yet answered: retried with the same round id
    busy: false,
  };
  let board = null;

  // --- Bets ---------------------------------------------------------------------------------

  function totalStake(bets) {
    let total = 0;
    for (const bet of (bets || state.bets).values()) total += bet.amount;
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

  // Every change of the bets goes through here: `change(next)` edits a copy, and returns a
  // refusal to show (nothing changes) or nothing; the bets before it are kept for undo.
  function changeBets(change) {
    if (frozen()) return false;
    closeStage();
    const next = new Map(state.bets);
    const refused = change(next);
    if (refused) {
      message(refused);
      return false;
    }
    state.history.push(state.bets);
    state.bets = next;
    state.settled = null;
    message("");
    drawBets();
    return true;
  }

  // What is wrong with `bets` on this table, or nothing: a spot over the table's maximum, the
  // total over the balance or over the session's limit per round (the partner's).
  function overLimits(bets, keys) {
    const limits = state.table.limits;
    for (const bet of bets.values()) {
      if (bet.amount > limits.max_bet) return say(keys.max, { max: money(limits.max_bet) });
    }
    const total = totalStake(bets);
    if (total > state.table.balance) return say(keys.balance);
    const session = state.table.responsible_gaming;
    const most = session && session.limits.max_stake;
    if (most && total > most) return say("play.rg.stake_over_limit", { amount: money(most) });
    return null;
  }

  const PLACING = { max: "over_max", balance: "over_balance" };

  function addChip(bet) {
    changeBets(function (bets) {
      const key = keyOf(bet);
      const placed = bets.get(key);
      bets.set(key, Object.assign({}, bet, { amount: (placed ? placed.amount : 0) + state.chip }));
      return overLimits(bets, PLACING);
    });
  }

  function undo() {
    if (frozen() || state.history.length === 0) return;
    closeStage();
    state.bets = state.history.pop();
    message("");
    drawBets();
  }

  function clearBets() {
    if (state.bets.size === 0 && !state.settled) return;
    changeBets(function (bets) { bets.clear(); });
  }

  // The last round's bets, again (instead of what is on the table).
  function rebet() {
    changeBets(function (bets) {
      if (state.lastBets.length === 0) return say("no_rebet");
      bets.clear();
      for (const bet of state.lastBets) bets.set(keyOf(bet), Object.assign({}, bet));
      return overLimits(bets, PLACING);
    });
  }

  // Every bet on the table twice over, or nothing when a spot or the balance would not take it.
  function double() {
    changeBets(function (bets) {
      if (bets.size === 0) return say("nothing_to_double");
      for (const [key, bet] of bets) bets.set(key, Object.assign({}, bet, { amount: 2 * bet.amount }));
      return overLimits(bets, { max: "double_over_max", balance: "double_over_balance" });
    });
  }

  function pick(bet) {
    if (frozen()) return;
    if ($("combine").checked && bet.numbers && bet.numbers.length === 1) {
      closeStage();
      board.toggle(bet.numbers[0]);
      $("place-combination").hidden = board.selection.size === 0;
    } else {
      addChip(bet);
    }
  }

  function placeCombination() {
    const bet = R.board.insideBet(board.selection);
    if (!bet) return message(say("illegal"));
    addChip(bet);
    board.clearSelection();
    $("place-combination").hidden = true;
  }

  function drawBets() {
    board.draw(state.bets, state.settled, state.winner);
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
    $("undo").disabled = state.history.length === 0;
    $("rebet").disabled = state.lastBets.length === 0;
    $("double").disabled = state.bets.size === 0;
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

  // --- The stage: over the layout on small screens, from Spin until the player goes on ----------

  function openStage() {
    $("stage").dataset.open = "true";
  }

  function closeStage() {
    if (!state.busy) $("stage").dataset.open = "false";
  }

  // The stage ends above the bar, whatever the bar's height (chips wrap, a message shows).
  function followBar() {
    const bar = $("bar");
    const root = document.documentElement;
    const measure = () => root.style.setProperty("--bar-h", bar.offsetHeight + "px");
    measure();
    if (window.ResizeObserver) new ResizeObserver(measure).observe(bar);
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

  function done() {
    state.busy = false;
    $("spin").disabled = false;
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
      done();
      return message(say("spin_failed")); // Spin again retries the same round id
    }
    const request = state.pending;
    setPending(null);
    if (sent.outcome === "refused") {
      done();
      return message(refusal(sent.error));
    }
    const body = sent.body;
    state.winner = null;
    drawBets();
    $("result").textContent = "";
    $("result").className = "result";
    $("outcome").textContent = "";
    $("outcome").dataset.kind = "";
    openStage();
    sound("spin");
    sound("ball", { seconds: R.wheel.spinSeconds });
    await R.wheel.spinTo(body.round.number);
    settle(body, request);
    celebrate(body.round);
    done();
    if (body.responsible_gaming) state.table.responsible_gaming = body.responsible_gaming;
    window.porteroSession.roundPlayed(body.responsible_gaming); // a limit may end the session
  }

  // The sounds of a round (play-sound.js: silent until the player's first gesture, and muted
  // when the player says so). A big win returns ten times the stakes or more.
  function sound(name, options) {
    if (window.porteroSound) window.porteroSound.play(name, options);
  }

  function celebrate(played) {
    if (played.total_return >= 10 * played.total_stake) sound("bigwin");
    else if (played.total_return > played.total_stake) sound("win");
  }

  function settle(body, request) {
    const played = body.round;
    const result = $("result");
    result.textContent = String(played.number);
    result.className = "result " + played.color;
    result.dataset.number = String(played.number);
    result.dataset.round = played.id;
    if (body.balance !== null) showBalance(body.balance);
    showOutcome(played);
    // The table is cleared for the next round; the board shows this one until the player
    // bets again, and Rebet places its bets once more.
    state.lastBets = request.bets.map((bet) => Object.assign({}, bet));
    state.bets = new Map();
    state.history = [];
    state.settled = { bets: played.bets.map((bet) => Object.assign(R.board.fromRound(bet),
      { returned: bet.returned })) };
    state.winner = played.number;
    drawBets();
    state.table.last_numbers.unshift(played.number);
    state.table.last_numbers = state.table.last_numbers.slice(0, 12);
    drawLastNumbers();
    showCommitment(body.next);
    addRound(played, true);
  }

  // The return (stakes back included) and the net, both: "you win 10" after staking 30 on a
  // round that returned 10 would hide a loss of 20.
  function showOutcome(played) {
    const told = $("outcome");
    const net = played.total_return - played.total_stake;
    const figures = {
      number: played.number,
      amount: money(played.total_return),
      staked: money(played.total_stake),
      net: signed(net),
    };
    told.textContent = say(played.total_return > 0 ? "win" : "no_win", figures);
    told.dataset.net = String(net);
    told.dataset.returned = String(played.total_return);
    told.dataset.kind = net > 0 ? "win" : played.total_return > 0 ? "partial" : "loss";
    if (played.win_pending && played.total_return > 0) {
      told.textContent = say("play.win_pending", { amount: money(played.total_return) });
    }
  }

  function drawLastNumbers() {
    const list = $("last-numbers");
    list.replaceChildren();
    for (const n of state.table.last_numbers) {
      const item = document.createElement("li");
      item.className = R.colorOf(n);
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

  function describeBet(bet, currency, minorUnits) {
    return R.board.betName(bet) + " × " + money(bet.amount, currency, minorUnits);
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
      verdict.textContent = await R.wheel.verify(fair, played.number);
    });
    seeds.append(check, verdict);
    row.appendChild(seeds);
    const body = $("rounds");
    if (newest) body.prepend(row);
    else body.appendChild(row);
  }

  // --- The rules ----------------------------------------------------------------------------

  function openRules() {
    const limits = state.table.limits;
    $("rules-min").textContent = money(limits.min_bet);
    $("rules-max").textContent = money(limits.max_bet);
    const rtp = $("rtp");
    rtp.querySelector("strong").textContent = new Intl.NumberFormat(lang, {
      style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2,
    }).format(Number(rtp.dataset.rtp) / 100);
    $("rules").showModal();
    $("rules-close").focus();
  }

  // --- Start --------------------------------------------------------------------------------

  function wire() {
    R.wheel.build($("wheel"));
    board = new R.board.Board($("board"), { onPick: pick, money: money, compact: compact });
    board.build();
    $("spin").addEventListener("click", spin);
    $("clear").addEventListener("click", clearBets);
    $("undo").addEventListener("click", undo);
    $("rebet").addEventListener("click", rebet);
    $("double").addEventListener("click", double);
    $("place-combination").addEventListener("click", placeCombination);
    $("combine").addEventListener("change", function () {
      if (!this.checked) board.clearSelection();
      $("place-combination").hidden = board.selection.size === 0;
      for (const button of $("board").querySelectorAll("[data-bet^='straight:']")) {
        if (this.checked) button.setAttribute("aria-pressed", "false");
        else button.removeAttribute("aria-pressed");
      }
    });
    $("stage").addEventListener("click", closeStage);
    $("rules-open").addEventListener("click", openRules);
    $("rules-close").addEventListener("click", () => $("rules").close());
    $("rules").addEventListener("click", function (event) {
      if (event.target === this) this.close(); // a click on the backdrop
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeStage();
    });
    followBar();
  }

  function drawChips() {
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
      input.setAttribute("aria-label", money(value));
      input.addEventListener("change", () => { state.chip = value; });
      const face = document.createElement("span");
      face.textContent = compact(value);
      label.append(input, face);
      chips.appendChild(label);
    });
    state.chip = state.table.chips[0];
  }

  async function start() {
    const response = await api("/play/api/roulette/table");
    if (!response.ok) return window.porteroSession.show("error");
    state.table = await response.json();
    window.porteroSession.showWallet(state.table.wallet);
    if (!board) wire();
    drawChips();
    $("limits").textContent = money(state.table.limits.min_bet) + " – " +
      money(state.table.limits.max_bet);
    showBalance(state.table.balance);
    showCommitment(state.table.next);
    drawLastNumbers();
    drawBets();
    const rounds = await api("/play/api/roulette/rounds?limit=20");
    if (rounds.ok) {
      $("rounds").replaceChildren();
      const played = (await rounds.json()).data;
      for (const round of played) addRound(round, false);
      // After a reload, Rebet still places the last round's bets.
      if (played.length && state.lastBets.length === 0) {
        state.lastBets = played[0].bets.map(R.board.fromRound);
        drawBets();
      }
    }
  }

  window.porteroSession.onSession(function () {
    start().catch(function (failure) {
      if (failure.message !== "session ended") window.porteroSession.show("error");
    });
  });
})();
