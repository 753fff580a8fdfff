// The roulette wheel: drawn once, turned onto the server's number, and the player's own check
// of a round from its revealed seeds (WebCrypto, independently of the server).
(function () {
  "use strict";
  const R = (window.porteroRoulette = window.porteroRoulette || {});
  const WHEEL_ORDER = [
    0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10,
    5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7, 28, 12, 35, 3, 26,
  ];
  const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
  const ACCEPT_BELOW = 4294967289; // 37 × 116,080,197: the last whole block of 37 in 2^32
  const SPIN_MS = 3600;
  const STEP = 360 / WHEEL_ORDER.length;
  let rotation = 0;

  R.colorOf = function (n) {
    return n === 0 ? "green" : RED.has(n) ? "red" : "black";
  };

  function build(svg) {
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
      slice.setAttribute("class", "pocket " + R.colorOf(n));
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
  function spinTo(number) {
    const face = document.getElementById("wheel-face");
    const index = WHEEL_ORDER.indexOf(number);
    const current = rotation % 360;
    const wanted = (360 - index * STEP) % 360;
    rotation += 4 * 360 + ((wanted - current + 360) % 360);
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    face.style.setProperty("transition", still ? "none" : "transform " + SPIN_MS + "ms " +
      "cubic-bezier(.15, .85, .25, 1)");
    face.style.setProperty("transform", "rotate(" + rotation + "deg)");
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

  // --- Verifying a round ---------------------------------------------------------------------

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
    const say = window.porteroSession.say;
    if (!(window.crypto && crypto.subtle)) return say("no_crypto");
    const hash = toHex(await crypto.subtle.digest("SHA-256", hexBytes(fair.server_seed)));
    if (hash !== fair.server_seed_hash) return say("commitment_mismatch");
    const number = await drawNumber(fair.server_seed, fair.client_seed, fair.nonce);
    return say(number === shown ? "verified" : "mismatch", { number: number });
  }

  R.wheel = { build: build, spinTo: spinTo, verify: verify, spinSeconds: SPIN_MS / 1000 };
})();
