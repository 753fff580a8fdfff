// The console's ring while a call is offered: a tone (Web Audio, generated: nothing shipped),
// a system notification with the customer's name where the agent allowed them, and the tab's
// title blinking. Browsers play sound only after a gesture of the page's user: going
// Available is that gesture, so the tone is unlocked then (and the notifications asked for).
// It stops on accept, on reject and when the offer goes (timeout, taken, withdrawn).
(function () {
  "use strict";

  const TONE_EVERY_MS = 2000;
  const BLINK_EVERY_MS = 1000;

  function Ringer(pageTitle) {
    this.pageTitle = pageTitle;
    this.audio = null;
    this.callId = null;
    this.timers = [];
    this.notification = null;
    this.tones = 0; // tones played, for tests and diagnostics
  }

  // Called from the gesture that makes the agent available.
  Ringer.prototype.unlock = function () {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!this.audio && Context) this.audio = new Context();
    if (this.audio && this.audio.state === "suspended") this.audio.resume().catch(() => {});
    if (window.Notification && Notification.permission === "default") {
      Promise.resolve(Notification.requestPermission()).catch(() => {});
    }
  };

  Ringer.prototype.tone = function () {
    const audio = this.audio;
    if (!audio || audio.state !== "running") return;
    const now = audio.currentTime;
    for (const [at, hertz] of [[0, 880], [0.3, 660]]) { // two notes, as a phone rings
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = hertz;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.2, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + at);
      oscillator.stop(now + at + 0.3);
    }
    this.tones += 1;
  };

  // `offered`: the offer as the console's state shows it; `title`: what the tab says meanwhile.
  Ringer.prototype.start = function (offered, title, caller) {
    if (this.callId === offered.call_id) return; // the same offer, shown again
    this.stop();
    this.callId = offered.call_id;
    document.documentElement.dataset.ringing = offered.call_id;
    this.tone();
    this.timers.push(setInterval(() => this.tone(), TONE_EVERY_MS));
    let lit = true;
    document.title = title;
    this.timers.push(setInterval(() => {
      lit = !lit;
      document.title = lit ? title : this.pageTitle;
    }, BLINK_EVERY_MS));
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      try {
        this.notification = new Notification(title, { body: caller, tag: "portero-offer" });
        this.notification.onclick = function () { window.focus(); };
      } catch (unsupported) { /* a page that may not notify: the title and the tone remain */ }
    }
  };

  Ringer.prototype.stop = function () {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.notification) this.notification.close();
    this.notification = null;
    this.callId = null;
    delete document.documentElement.dataset.ringing;
    document.title = this.pageTitle;
  };

  window.PorteroRinger = Ringer;
})();
