// The games' sounds: a spin, the roulette ball, a win and a big win, generated with Web Audio
// (nothing shipped, nothing to license, nothing to download inside a partner's iframe).
// Browsers let a page play sound only after a gesture of its user, and a player who did not
// ask for sound must not get it: the sounds start silent and unlock on the player's first
// press of anything on the page. A mute toggle in the table's bar is remembered by the
// browser (localStorage; a frame refused storage remembers it until a reload).
(function () {
  "use strict";

  const MUTED_KEY = "portero.sound.muted";
  const Context = window.AudioContext || window.webkitAudioContext;
  let audio = null;
  let muted = readMuted();
  const played = []; // the sounds actually played, for tests and diagnostics

  function readMuted() {
    try { return localStorage.getItem(MUTED_KEY) === "1"; } catch (blocked) { return false; }
  }

  function remember() {
    try { localStorage.setItem(MUTED_KEY, muted ? "1" : "0"); } catch (blocked) { /* page only */ }
  }

  function unlock() {
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }
  for (const gesture of ["pointerdown", "keydown"]) {
    document.addEventListener(gesture, unlock, { capture: true, passive: true });
  }

  // One note: a waveform at `hertz` from `at` seconds for `length`, with a quick attack.
  function note(hertz, at, length, options) {
    const shape = options || {};
    const start = audio.currentTime + at;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = shape.type || "sine";
    oscillator.frequency.setValueAtTime(hertz, start);
    if (shape.glideTo) oscillator.frequency.exponentialRampToValueAtTime(shape.glideTo, start + length);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(shape.volume || 0.15, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + length + 0.02);
  }

  // The ball: clicks on the wheel's frets, further and further apart as it slows down.
  function ball(seconds) {
    let at = 0;
    let gap = 0.05;
    while (at < seconds) {
      note(2400 + Math.random() * 600, at, 0.03, { type: "square", volume: 0.04 });
      at += gap;
      gap *= 1.08;
    }
    note(900, at, 0.12, { type: "triangle", volume: 0.12 }); // it drops into its pocket
  }

  const SOUNDS = {
    // A short rising sweep as the reels start (or the croupier spins the wheel).
    spin: () => note(180, 0, 0.35, { type: "triangle", glideTo: 520, volume: 0.08 }),
    ball: (options) => ball((options && options.seconds) || 2.5),
    // A major arpeggio; the big win runs it twice as long, an octave up, and holds a chord.
    win: () => [523.25, 659.25, 783.99].forEach((hertz, i) => note(hertz, i * 0.09, 0.3)),
    bigwin: () => {
      [523.25, 659.25, 783.99, 1046.5, 1318.5, 1568].forEach((hertz, i) =>
        note(hertz, i * 0.08, 0.35, { type: "triangle" }));
      for (const hertz of [523.25, 659.25, 783.99]) note(hertz, 0.5, 1.2, { volume: 0.08 });
    },
  };

  function play(name, options) {
    if (muted || !audio || audio.state !== "running" || !SOUNDS[name]) return false;
    SOUNDS[name](options);
    played.push(name);
    return true;
  }

  // The toggle, beside the Leave button of the table's bar.
  function addToggle() {
    const bar = document.querySelector("#ready .table-bar");
    if (!bar || !Context) return; // no Web Audio: no sound to mute
    const say = window.porteroSession.say;
    const button = document.createElement("button");
    button.type = "button";
    button.id = "sound-toggle";
    button.className = "quiet sound-toggle";
    function label() {
      button.dataset.muted = muted ? "1" : "0";
      button.textContent = muted ? "🔇" : "🔊";
      const text = say(muted ? "play.sound.unmute" : "play.sound.mute");
      button.title = text;
      button.setAttribute("aria-label", text);
    }
    button.onclick = function () {
      muted = !muted;
      remember();
      label();
    };
    label();
    bar.insertBefore(button, document.getElementById("leave"));
  }
  addToggle();

  window.porteroSound = {
    play: play,
    played: played,
    isMuted: () => muted,
    state: () => (audio ? audio.state : "locked"),
  };
})();
