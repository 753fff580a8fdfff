// The play session travels as a bearer token, never as a cookie: third-party cookies are
// blocked in partner iframes by Safari, Firefox strict mode and Chrome incognito.
// The link redirect hands the token over in the URL fragment (never sent to any server, nor in
// Referer). It is then kept in sessionStorage, which survives reloads of this tab; where the
// browser refuses storage to a third-party frame, the fragment stays in the URL instead, and a
// reload still carries it.
(function () {
  "use strict";
  const app = document.getElementById("app");
  const launchId = app.dataset.launchId;
  const storageKey = "portero.session." + launchId;

  function takeToken() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const fromUrl = fragment.get("session");
    let stored = null;
    try {
      if (fromUrl) {
        sessionStorage.setItem(storageKey, fromUrl);
        history.replaceState(null, "", location.pathname + location.search);
      }
      stored = sessionStorage.getItem(storageKey);
    } catch (blocked) {
      stored = null; // storage denied: keep using the fragment
    }
    return stored || fromUrl;
  }

  const token = takeToken();

  // The way back from the "ended" state (the launch's return_url), learnt while the session was
  // good and kept with the token, so that a reload after the end still offers it.
  function rememberWayBack(url) {
    try {
      if (url) sessionStorage.setItem(storageKey + ".return", url);
      else url = sessionStorage.getItem(storageKey + ".return");
    } catch (blocked) { /* storage denied: known until a reload only */ }
    if (!url) return;
    // Every dead end of the page (ended, a game unavailable, a call over) offers it.
    for (const back of document.querySelectorAll(".way-back")) {
      back.querySelector("a").href = url;
      back.hidden = false;
    }
  }
  rememberWayBack(null);

  function show(id) {
    for (const section of app.querySelectorAll(":scope > section")) {
      section.hidden = section.id !== id;
    }
    const check = document.getElementById("reality-check");
    if (check && check.open && id !== "ready") check.close();
  }

  // Why the session ended, when a limit or the operator ended it (the play APIs' 401 codes).
  const END_REASONS = {
    session_time_limit_reached: "play.rg.ended_time_limit",
    session_loss_limit_reached: "play.rg.ended_loss_limit",
    session_terminated: "play.rg.ended_terminated",
  };

  function endedBecause(code) {
    const key = END_REASONS[code];
    const reason = document.getElementById("ended-reason");
    if (reason && key && texts[key]) {
      reason.textContent = texts[key];
      reason.dataset.code = code;
      reason.hidden = false;
    }
    show("ended");
  }

  // An ended session, from any play API's 401 (the roulette table's answers in seed 000's
  // body): the session endpoint says why, in the native body.
  async function explainEnd() {
    show("ended");
    try {
      const response = await authorised("/play/api/session");
      const body = await response.json();
      if (response.status === 401 && body.error) endedBecause(body.error.code);
    } catch (failure) { /* the ended state stands without its reason */ }
  }

  function authorised(path, options) {
    const init = Object.assign({}, options || {});
    init.headers = Object.assign({}, init.headers || {}, { Authorization: "Bearer " + token });
    return fetch(path, init);
  }

  // A call of the product's play API; an ended session shows the "ended" state and throws.
  async function api(path, options) {
    const response = await authorised(path, options);
    if (response.status === 401) {
      explainEnd();
      throw new Error("session ended");
    }
    return response;
  }

  // A game round POSTed with the id the page chose for it. "ok": the answer; "refused": a 4xx,
  // the round was not played; "lost": no readable answer or a 5xx, the round may or may not
  // have been played, so the page sends the very same request again; "ended".
  async function sendRound(path, request) {
    let response;
    let body;
    try {
      response = await api(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
      body = await response.json();
    } catch (failure) {
      return { outcome: failure.message === "session ended" ? "ended" : "lost" };
    }
    // A 502 with an answer is the partner's wallet not confirming the bet: the round was not
    // played and its id is spent (a retry would answer the same), so it is a refusal.
    const walletSaidNo = response.status === 502 && body && body.error;
    if (response.status >= 500 && !walletSaidNo) return { outcome: "lost" };
    return response.ok ? { outcome: "ok", body: body } : { outcome: "refused", error: body.error };
  }

  // Whose money the table plays with: play money says so beside the balance.
  function showWallet(wallet) {
    const badge = document.getElementById("play-money");
    if (badge) badge.hidden = !(wallet && wallet.play_money);
  }

  // The refusals of the partner's wallet and of the session's limits, shared by the games;
  // null for any other. A reality check that is due is shown at once.
  function walletRefusal(error) {
    const known = figures || { limits: {}, currency: "XXX", minor_units: 0 };
    const inCurrency = (minor) => money(minor || 0, known.currency, known.minor_units);
    switch (error && error.code) {
      case "wallet_unavailable": return say("play.wallet_unavailable");
      case "wallet_refused": return say("play.wallet_refused");
      case "amount_not_supported": return say("play.amount_not_supported");
      case "stake_over_limit":
        return say("play.rg.stake_over_limit", { amount: inCurrency(known.limits.max_stake) });
      case "loss_limit_reached":
        return say("play.rg.loss_limit", { amount: inCurrency(known.loss_remaining) });
      case "reality_check_due":
        showCheck();
        return say("play.rg.check_due");
      default: return null;
    }
  }

  // --- Responsible gaming -------------------------------------------------------------------
  // The session's limits and figures (`responsible_gaming` of the play APIs' answers), the
  // reality check every `reality_check_seconds` (the server refuses rounds while one is due),
  // and the session's end at its time limit.
  let figures = null;
  let checkTimer = 0;
  let endTimer = 0;

  function clock(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  // Whatever the server last said of the limits: the timers follow it.
  function limitsKnown(block) {
    figures = block || null;
    clearTimeout(checkTimer);
    clearTimeout(endTimer);
    if (!figures) return;
    if (figures.reality_check_due_in_seconds !== null) {
      checkTimer = setTimeout(showCheck, figures.reality_check_due_in_seconds * 1000);
    }
    const left = Date.parse(figures.session_ends_at) - Date.parse(figures.session_started_at) -
      figures.duration_seconds * 1000;
    endTimer = setTimeout(function () {
      api("/play/api/session").catch(function () { /* the ended state is shown */ });
    }, Math.max(0, left) + 1000);
  }

  async function showCheck() {
    const check = document.getElementById("reality-check");
    if (!check) return;
    const response = await api("/play/api/reality-check").catch(() => null);
    if (!response || !response.ok) return;
    const block = (await response.json()).responsible_gaming;
    if (!block || block.reality_check_due_in_seconds > 0) return limitsKnown(block);
    figures = block;
    const duration = document.getElementById("reality-duration");
    duration.textContent = clock(block.duration_seconds);
    duration.dataset.seconds = String(block.duration_seconds);
    const net = document.getElementById("reality-net");
    net.textContent = money(block.net_result, block.currency, block.minor_units);
    net.dataset.minor = String(block.net_result);
    if (!check.open) check.showModal();
    document.getElementById("reality-continue").focus(); // not the link, the first in order
  }

  async function continuePlaying() {
    const response = await api("/play/api/reality-check", { method: "POST" }).catch(() => null);
    if (!response || !response.ok) return;
    document.getElementById("reality-check").close();
    limitsKnown((await response.json()).responsible_gaming);
  }

  // After a round: its figures; a round that reached the loss limit ended the session.
  function roundPlayed(block) {
    if (!block) return;
    figures = block;
    if (block.loss_limit_reached) endedBecause("session_loss_limit_reached");
  }

  // The player leaves: the session ends, and the page goes back to the partner's site.
  async function leave() {
    await authorised("/play/api/session/end", { method: "POST" });
    try { sessionStorage.removeItem(storageKey); } catch (blocked) { /* nothing stored */ }
    if (current && current.return_url) window.top.location.href = current.return_url;
    else show("ended");
  }

  const check = document.getElementById("reality-check");
  if (check) {
    check.addEventListener("cancel", (event) => event.preventDefault()); // answer it: no Esc
    document.getElementById("reality-continue").onclick = continuePlaying;
    document.getElementById("reality-leave").onclick = leave;
  }

  function newRequestId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // works outside secure contexts, unlike randomUUID
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The page's texts (a JSON block the server renders in the launch's language).
  const textsBlock = document.getElementById("texts");
  const texts = textsBlock ? JSON.parse(textsBlock.textContent) : {};

  function say(key, values) {
    let text = texts[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(value);
    }
    return text;
  }

  const moneyFormats = new Map();

  // An amount in minor units, in the page's language.
  function money(minor, currency, minorUnits) {
    const key = currency + ":" + minorUnits;
    if (!moneyFormats.has(key)) {
      moneyFormats.set(key, new Intl.NumberFormat(document.documentElement.lang, {
        style: "currency", currency: currency, minimumFractionDigits: minorUnits,
        maximumFractionDigits: minorUnits,
      }));
    }
    return moneyFormats.get(key).format(minor / Math.pow(10, minorUnits));
  }

  // The session once loaded, and who waits for it. A product's script runs after this one and
  // may run after the session has loaded (the browser fetches it while it still loads that
  // script), so it asks with onSession rather than listening for an event it could miss.
  let current = null;
  const listeners = [];

  // Calls `listener(session)` once the session has loaded (at once if it already has), and
  // again after each later load (the "try again" button) unless `options.once`.
  function onSession(listener, options) {
    const once = Boolean(options && options.once);
    if (current) {
      listener(current);
      if (once) return;
    }
    listeners.push({ listener: listener, once: once });
  }

  function loaded(session) {
    current = session;
    for (const entry of listeners.splice(0)) {
      entry.listener(session);
      if (!entry.once) listeners.push(entry);
    }
  }

  // What product scripts use: the page's states, authenticated calls, texts and money, and the
  // session itself through onSession.
  window.porteroSession = {
    token: token,
    show: show,
    fetch: authorised,
    api: api,
    sendRound: sendRound,
    showWallet: showWallet,
    walletRefusal: walletRefusal,
    roundPlayed: roundPlayed,
    newRequestId: newRequestId,
    say: say,
    money: money,
    onSession: onSession,
  };

  // Tabs showing the same game find one another (same origin, same browser): a tab without
  // the session (its address copied into a new tab, which has no fragment and no storage of
  // the first tab) asks whether another one plays it, and says so rather than "ended". Only
  // the games have that state (their pages' #elsewhere); a tab answers while it plays.
  const elsewhere = document.getElementById("elsewhere");
  const tabs = elsewhere && "BroadcastChannel" in window ? new BroadcastChannel(storageKey) : null;
  const ANSWER_WITHIN_MS = 500; // a tab of the same browser answers in a few milliseconds
  if (tabs) {
    tabs.addEventListener("message", function (event) {
      const playing = token && current && !document.getElementById("ready").hidden;
      if (event.data === "who-plays" && playing) tabs.postMessage("playing");
    });
  }

  function playedElsewhere() {
    if (!tabs) return Promise.resolve(false);
    return new Promise(function (resolve) {
      const answered = (event) => {
        if (event.data !== "playing") return;
        clearTimeout(timer);
        tabs.removeEventListener("message", answered);
        resolve(true);
      };
      const timer = setTimeout(function () {
        tabs.removeEventListener("message", answered);
        resolve(false);
      }, ANSWER_WITHIN_MS);
      tabs.addEventListener("message", answered);
      tabs.postMessage("who-plays");
    });
  }

  async function load() {
    if (!token) return show((await playedElsewhere()) ? "elsewhere" : "ended");
    const response = await authorised("/play/api/session");
    if (response.status === 401) {
      const body = await response.json().catch(() => ({}));
      return endedBecause(body.error && body.error.code);
    }
    if (!response.ok) return show("error"); // a passing fault: the session may be fine
    const session = await response.json();
    rememberWayBack(session.return_url);
    document.getElementById("nickname").textContent = session.player.nickname || session.player.id;
    const expires = document.getElementById("expires");
    if (expires) {
      expires.textContent =
        new Date(session.idle_expires_at).toLocaleString(document.documentElement.lang);
    }
    const leaving = document.getElementById("leave"); // pages that end otherwise have none
    if (leaving) leaving.onclick = leave;
    show("ready");
    loaded(session);
    limitsKnown(session.responsible_gaming);
  }

  document.getElementById("retry").onclick = function () {
    show("loading");
    load().catch(function () { show("error"); });
  };
  load().catch(function () { show("error"); });
})();
