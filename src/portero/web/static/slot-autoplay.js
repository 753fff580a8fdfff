// Autoplay on the slot page: a number of spins played one after another, each shown as a spin
// the player started would be, the spins left counted down beside the button. It stops early
// on what the player chose (free spins won, one spin winning more than an amount, the balance
// below an amount) and always on an error, at a reality check and when the session ends; Stop
// ends it after the spin under way. A launch may take it off (`responsible_gaming.autoplay`
// false): the page then has no autoplay control at all.
(function () {
  "use strict";
  const slot = window.porteroSlot;
  const { $, say, state, money, number, message } = slot;
  const PAUSE = { win: 1400, miss: 500 }; // between two spins, after a win and after none

  let allowed = false;
  let run = null; // the autoplay under way: {left, played, stopFeature, stopWin, stopBalance, stop}
  let wake = null; // ends the pause between two spins at once

  function running() {
    return run !== null;
  }

  // The button is Stop until Stop is pressed (or a stop is due): the spin under way then
  // shows as any other, Skip included.
  function stoppable() {
    return run !== null && !run.stop;
  }

  function stop(reason) {
    if (!run) return;
    run.stop = run.stop || (typeof reason === "string" ? reason : "stop");
    if (wake) wake();
    slot.setControls();
  }

  function showLeft() {
    const left = $("autoplay-left");
    left.dataset.left = run ? String(run.left) : "";
    $("autoplay-count").textContent = run ? number(run.left) : "";
    const label = run ? say("autoplay_left", { n: number(run.left) }) : "";
    left.setAttribute("aria-label", label);
    left.title = label;
  }

  // Called with the page's other controls: the count replaces the button while autoplay runs.
  function controls(locked) {
    $("autoplay").parentElement.hidden = !allowed;
    $("autoplay").hidden = !allowed || running();
    $("autoplay").disabled = locked;
    $("autoplay-left").hidden = !running();
    $("deck").dataset.autoplay = running() ? "on" : "";
  }

  // --- The choices ---------------------------------------------------------------------------

  function currencySymbol() {
    const parts = new Intl.NumberFormat(slot.lang, {
      style: "currency", currency: state.table.currency,
    }).formatToParts(0);
    const symbol = parts.find((part) => part.type === "currency");
    return symbol ? symbol.value : state.table.currency;
  }

  // What the launch allows and the game has: no control without autoplay, no free-spins
  // choice in a game without them; amounts in the table's currency and its minor units.
  function offer(table) {
    allowed = table.autoplay !== false;
    $("stop-feature-choice").hidden = !table.game.free_spins;
    const step = String(Math.pow(10, -table.minor_units));
    for (const id of ["stop-win", "stop-balance"]) $(id).step = step;
    for (const unit of document.querySelectorAll("#autoplay-form .currency")) {
      unit.textContent = currencySymbol();
    }
  }

  function amount(id) {
    const value = $(id).value;
    if (value === "") return null;
    return Math.round(Number(value) * Math.pow(10, state.table.minor_units));
  }

  function chosen() {
    const count = document.querySelector("#autoplay-form input[name=count]:checked");
    return {
      left: Number(count.value),
      played: 0,
      stopFeature: Boolean(state.game.free_spins) && $("stop-feature").checked,
      stopWin: amount("stop-win"),
      stopBalance: amount("stop-balance"),
      stop: null,
      lastWin: 0,
    };
  }

  // --- The run -------------------------------------------------------------------------------

  function checkOpen() {
    const check = $("reality-check");
    return Boolean(check && check.open);
  }

  function before() {
    if (run.stop) return run.stop;
    if ($("ready").hidden) return "ended";
    if (checkOpen()) return "check";
    return null;
  }

  // Why the spin just played ends autoplay, if it does.
  function after(sent) {
    if (sent.outcome === "ended" || $("ready").hidden) return "ended";
    if (sent.outcome === "refused" && sent.error && sent.error.code === "reality_check_due") {
      return "check";
    }
    if (sent.outcome === "funds") return "funds";
    if (sent.outcome !== "ok") return "error";
    const spin = sent.body.spin;
    run.played += 1;
    run.lastWin = spin.win;
    if (checkOpen()) return "check";
    if (run.stopFeature && spin.free_spins.length) return "feature";
    if (run.stopWin !== null && spin.win > run.stopWin) return "win";
    const balance = state.table.balance;
    if (run.stopBalance !== null && balance < run.stopBalance) return "balance";
    return run.stop || (run.left === 0 ? "count" : null);
  }

  function pause(ms) {
    return new Promise(function (resolve) {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function start(plan) {
    run = plan;
    $("deck").dataset.autoplayStop = "";
    message("");
    showLeft();
    slot.setControls();
    let reason = "error"; // whatever fails on the way (a script error too) stops it
    try {
      reason = before();
      while (!reason) {
        run.left -= 1;
        showLeft();
        const sent = await slot.play();
        reason = after(sent);
        if (!reason) await pause(sent.body.spin.win > 0 ? PAUSE.win : PAUSE.miss);
        reason = reason || before();
      }
    } catch (failure) {
      reason = "error";
    } finally {
      finish(reason);
    }
  }

  // The reason is kept on the deck; the message says it, except where the page already says
  // what happened (an error, the balance short of the bet, the session's end).
  function finish(reason) {
    const done = run;
    run = null;
    $("deck").dataset.autoplayStop = reason;
    const texts = {
      count: () => say("autoplay_done", { n: number(done.played) }),
      stop: () => say("autoplay_stopped", { n: number(done.played) }),
      feature: () => say("autoplay_stopped_feature"),
      win: () => say("autoplay_stopped_win", { amount: money(done.lastWin) }),
      balance: () => say("autoplay_stopped_balance", { amount: money(done.stopBalance) }),
      check: () => say("autoplay_stopped_check"),
    };
    if (texts[reason]) message(texts[reason]());
    showLeft();
    slot.setControls();
  }

  function listen() {
    const panel = $("autoplay-panel");
    $("autoplay").addEventListener("click", function () {
      panel.showModal();
      $("autoplay-start").focus();
    });
    $("autoplay-cancel").addEventListener("click", () => panel.close());
    $("autoplay-form").addEventListener("submit", function (event) {
      event.preventDefault(); // the browser has checked the amounts
      panel.close();
      if (!running() && !state.busy && !state.pending) start(chosen());
    });
    // A reality check shown while autoplay runs (its timer, or a refused spin) stops it.
    const check = $("reality-check");
    if (check) {
      new MutationObserver(() => check.open && stop("check"))
        .observe(check, { attributes: true, attributeFilter: ["open"] });
    }
  }

  slot.autoplay = {
    running: running,
    stoppable: stoppable,
    stop: stop,
    controls: controls,
    offer: offer,
    listen: listen,
  };
})();
