// What the slot page's scripts share (slot-reels.js, slot-paytable.js, slot-autoplay.js and
// slot.js, loaded in that order): the page's state, money and figures in the page's language,
// and the waits the player can cut short.
(function () {
  "use strict";
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);
  const session = window.porteroSession;

  const state = {
    table: null,
    game: null,
    symbols: new Map(), // code → {code, glyph, pays}
    bet: 0,
    pending: null, // a spin request not yet answered: retried with the same spin id
    busy: false, // a spin is being sent or shown
    skip: false, // the player asked to see the end of the spin being shown now
    finishers: new Set(), // what ends the waits under way, when the player skips
  };

  // In the table's currency unless the record says otherwise.
  function money(minor, currency, minorUnits) {
    return session.money(
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

  function glyph(code) {
    const symbol = state.symbols.get(code);
    return symbol ? symbol.glyph : code;
  }

  function message(text) {
    $("message").textContent = text;
  }

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

  function sound(name) {
    if (window.porteroSound) window.porteroSound.play(name);
  }

  window.porteroSlot = {
    lang: lang,
    $: $,
    say: session.say,
    state: state,
    money: money,
    percent: percent,
    number: number,
    glyph: glyph,
    message: message,
    settle: settle,
    skip: skip,
    stillMotion: stillMotion,
    sound: sound,
  };
})();
