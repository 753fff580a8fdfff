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

  function show(id) {
    for (const section of app.querySelectorAll(":scope > section")) {
      section.hidden = section.id !== id;
    }
  }

  // What product scripts use: authenticated fetch, and the page's states. Once the session
  // has loaded, a "portero:session" event carries it to them.
  window.porteroSession = {
    token: token,
    show: show,
    fetch: function (path, options) {
      const init = Object.assign({}, options || {});
      init.headers = Object.assign({}, init.headers || {}, { Authorization: "Bearer " + token });
      return fetch(path, init);
    },
  };

  async function load() {
    if (!token) return show("ended");
    const response = await window.porteroSession.fetch("/play/api/session");
    if (response.status === 401) return show("ended");
    if (!response.ok) return show("error"); // a passing fault: the session may be fine
    const session = await response.json();
    document.getElementById("nickname").textContent = session.player.nickname || session.player.id;
    const expires = document.getElementById("expires");
    if (expires) {
      expires.textContent =
        new Date(session.idle_expires_at).toLocaleString(document.documentElement.lang);
    }
    document.getElementById("leave").onclick = async function () {
      await window.porteroSession.fetch("/play/api/session/end", { method: "POST" });
      try { sessionStorage.removeItem(storageKey); } catch (blocked) { /* nothing stored */ }
      if (session.return_url) window.top.location.href = session.return_url;
      else show("ended");
    };
    show("ready");
    document.dispatchEvent(new CustomEvent("portero:session", { detail: session }));
  }

  document.getElementById("retry").onclick = function () {
    show("loading");
    load().catch(function () { show("error"); });
  };
  load().catch(function () { show("error"); });
})();
