// The slot game page. The server decides every spin (free spins included) and pays every win;
// this script sends the spins and shows each one (the reels: slot-reels.js), its free spins one
// after another. Under the reels, parts that never move: the bet's steps through the game's
// levels, autoplay (slot-autoplay.js) and one button that is Spin, Skip while a spin is shown,
// Retry spin while one is unanswered, and Stop during autoplay.
(function () {
  "use strict";
  const slot = window.porteroSlot;
  const { $, say, state, money, message, settle, lang } = slot;
  const session = window.porteroSession;
  const TIMING = {
    base: { first: 900, stagger: 260, extra: 3, pause: 1200 },
    free: { first: 500, stagger: 130, extra: 2, pause: 900 },
  };
  const BIG_WIN = 20; // a spin winning this many times its bet sounds like one

  function showBalance(minor) {
    state.table.balance = minor;
    $("balance").dataset.minor = String(minor);
    $("balance").textContent = money(minor);
  }

  function showWin(minor) {
    $("win").dataset.minor = String(minor);
    $("win").textContent = money(minor);
  }

  function showBet() {
    $("bet").dataset.minor = String(state.bet);
    $("bet").textContent = money(state.bet);
  }

  // --- The controls -------------------------------------------------------------------------

  const LABELS = { spin: "spin", retry: "retry_spin", skip: "skip", stop: "stop" };

  function buttonRole() {
    if (slot.autoplay.stoppable()) return "stop";
    if (state.busy) return "skip";
    return state.pending ? "retry" : "spin";
  }

  // While a spin is unanswered, the bet being played stays as it is until the spin is known,
  // and the button retries that same spin. The bet stays too while autoplay runs.
  function setControls() {
    const role = buttonRole();
    const button = $("spin");
    button.dataset.role = role;
    button.textContent = say(LABELS[role]);
    button.disabled = role === "skip" && state.skip; // skipped: the end is on its way
    const locked = state.busy || Boolean(state.pending) || slot.autoplay.running();
    const levels = state.table ? state.table.bet_levels : [];
    const at = levels.indexOf(state.bet);
    $("bet-down").disabled = locked || at <= 0;
    $("bet-up").disabled = locked || at < 0 || at >= levels.length - 1;
    slot.autoplay.controls(locked);
  }

  function press() {
    const role = $("spin").dataset.role;
    if (role === "stop") return slot.autoplay.stop();
    if (role === "skip") {
      slot.skip();
      return setControls();
    }
    return play();
  }

  function stepBet(by) {
    const levels = state.table.bet_levels;
    const at = levels.indexOf(state.bet) + by;
    if (at < 0 || at >= levels.length || state.busy || state.pending) return;
    state.bet = levels[at];
    showBet();
    slot.drawPaytable();
    setControls();
  }

  // --- Playing ------------------------------------------------------------------------------

  // The server's refusals, in the page's language (its own messages are in English).
  function refusal(error) {
    switch (error && error.code) {
      case "insufficient_funds": return say("over_balance");
      case "bet_not_offered": return say("not_offered");
      case "game_unavailable": return say("unavailable");
      default: return session.walletRefusal(error) || say("refused");
    }
  }

  // One spin, from the press to the end of its showing. Resolves with what became of it:
  // "ok" (with the answer's body), "lost" (the button then sends the same spin again),
  // "refused" (with the error), "funds" (more than the balance: not sent), "ended", "busy".
  async function play() {
    if (state.busy) return { outcome: "busy" };
    if (!state.pending) {
      if (state.bet > state.table.balance) {
        message(say("over_balance"));
        return { outcome: "funds" };
      }
      state.pending = { spin_id: session.newRequestId(), bet: state.bet };
    }
    state.busy = true;
    state.skip = false; // a Skip pressed from here on shows this spin's end at once
    setControls();
    message("");
    slot.sound("spin");
    const sent = await session.sendRound("/play/api/slots/spins", state.pending);
    if (sent.outcome !== "ok") {
      state.busy = false;
      if (sent.outcome === "refused") state.pending = null;
      setControls();
      if (sent.outcome === "lost") message(say("spin_failed"));
      if (sent.outcome === "refused") message(refusal(sent.error));
      return sent;
    }
    state.pending = null;
    setControls(); // answered: the next spin is a new spin
    try {
      await present(sent.body);
    } finally {
      state.busy = false;
      setControls();
    }
    session.roundPlayed(sent.body.responsible_gaming); // a limit may end the session
    return sent;
  }

  function clearOutcome() {
    const counter = $("free-spins");
    $("win").dataset.spin = "";
    $("win").dataset.minor = "";
    $("win").textContent = "";
    $("wins").replaceChildren();
    counter.hidden = true;
    counter.dataset.count = "";
  }

  // The free spins of a spin, one after another; `reveal` shows each one's wins.
  async function presentFree(played, reveal) {
    const free = played.free_spins;
    const counter = $("free-spins");
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
      await slot.landReels(free[k].window, TIMING.free);
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

  // Show a played spin: the base game, then each free spin in turn, the balance rising with
  // each win; the result element carries the spin's id once everything is shown.
  async function present(body) {
    const played = body.spin;
    clearOutcome();
    // The balance the wallet reported: after the whole spin, or (a win still being paid by a
    // seamless wallet) after the bet only; null when the wallet gave none.
    const known = body.balance !== null;
    const pending = played.win_pending;
    const start = pending ? body.balance : body.balance - played.win; // bet taken, nothing won
    let paid = 0;
    if (known) showBalance(start);

    const reveal = function (reelSpin) {
      slot.highlight(reelSpin);
      slot.listWins(reelSpin);
      paid += reelSpin.amount;
      showWin(paid);
      if (known && !pending) showBalance(start + paid);
    };

    await slot.landReels(played.base.window, TIMING.base);
    reveal(played.base);
    if (played.free_spins.length) await presentFree(played, reveal);

    if (known) showBalance(body.balance);
    showWin(played.win);
    message(played.win > 0 ? say("you_win", { amount: money(played.win) }) : say("no_win"));
    if (pending && played.win > 0) message(say("play.win_pending", { amount: money(played.win) }));
    if (played.win > 0) slot.sound(played.win >= BIG_WIN * played.bet ? "bigwin" : "win");
    $("win").dataset.spin = played.id;
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
  // --- Start --------------------------------------------------------------------------------

  function listen() {
    $("spin").addEventListener("click", press);
    $("bet-down").addEventListener("click", () => stepBet(-1));
    $("bet-up").addEventListener("click", () => stepBet(1));
    slot.autoplay.listen();
  }

  async function start() {
    const response = await session.api("/play/api/slots/game");
    if (!response.ok) {
      // Not offered in the session's currency: no retry can help, unlike a passing fault.
      const body = await response.json().catch(() => ({}));
      const code = body.error && body.error.code;
      return session.show(code === "game_unavailable" ? "unavailable" : "error");
    }
    state.table = await response.json();
    state.game = state.table.game;
    state.symbols = new Map(state.game.symbols.map((symbol) => [symbol.code, symbol]));
    if (!$("reels").children.length) listen();
    document.title = state.game.name;
    $("game-name").textContent = state.game.name;
    slot.buildReels();
    slot.buildLineMaps();
    const levels = state.table.bet_levels;
    if (!levels.includes(state.bet)) state.bet = levels[0];
    // As wide as the widest level, so that the steps stay where they are.
    const widest = Math.max(...levels.map((level) => money(level).length));
    $("bet").style.setProperty("--bet-width", widest + "ch");
    showBet();
    slot.drawPaytable();
    showBalance(state.table.balance);
    session.showWallet(state.table.wallet);
    slot.autoplay.offer(state.table);
    setControls();
    let spins = [];
    const recent = await session.api("/play/api/slots/spins?limit=20");
    if (recent.ok) spins = (await recent.json()).data;
    $("spins").replaceChildren();
    for (const record of spins) addSpin(record, false);
    slot.showWindow(openingWindow(spins));
  }

  Object.assign(slot, { play: play, setControls: setControls });

  session.onSession(function () {
    start().catch(function (failure) {
      if (failure.message !== "session ended") session.show("error");
    });
  });
})();
