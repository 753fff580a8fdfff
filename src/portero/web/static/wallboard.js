// The supervisor's wallboard: the desk's figures per category, as the server pushes them (on
// the queue's news and at every heartbeat); the waits and talk times tick on between pushes.
(function () {
  "use strict";
  const calls = window.porteroCallPeer;
  const session = window.porteroSession;
  const say = session.say;
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;
  const state = { figures: null, receivedAt: 0 };

  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    return calls.duration(Math.max(0, Math.round(seconds)));
  }

  function item(text, extra) {
    const li = document.createElement("li");
    li.textContent = text;
    if (extra) {
      const span = document.createElement("span");
      span.className = "ticking";
      span.dataset.seconds = String(extra);
      li.append(" ", span);
    }
    return li;
  }

  function showCategory(figures) {
    const card = $("category-template").content.firstElementChild.cloneNode(true);
    card.dataset.category = figures.category || "";
    const set = (name, text) => { card.querySelector("." + name).textContent = text; };
    set("category-name", figures.name || say("no_category"));
    set("waiting", String(figures.waiting));
    const longest = card.querySelector(".longest-wait");
    longest.classList.add("ticking");
    if (figures.longest_wait_seconds === null) longest.textContent = "—";
    else longest.dataset.seconds = String(figures.longest_wait_seconds);
    set("available", String(figures.presence.available));
    set("busy", String(figures.presence.busy));
    set("offline", String(figures.presence.offline));
    set("missed-today", String(figures.missed_today));
    set("answered-today", String(figures.answered_today));
    set("average-wait", clock(figures.average_wait_seconds));
    set("average-talk", clock(figures.average_talk_seconds));
    const rated = figures.satisfaction_today;
    set("satisfaction", rated.ratings
      ? say("rating", { average: rated.average.toLocaleString(lang), n: rated.ratings })
      : say("no_ratings"));
    const talking = card.querySelector(".in-progress");
    for (const call of figures.in_progress) {
      talking.append(item(call.agent_name || call.agent || "", call.duration_seconds || "0"));
    }
    if (!figures.in_progress.length) talking.append(item(say("nobody")));
    const agents = card.querySelector(".agents");
    for (const agent of figures.agents) {
      const li = item(say("agent_line", { name: agent.name, calls: agent.calls,
        capacity: agent.capacity }));
      li.dataset.presence = agent.presence;
      agents.append(li);
    }
    if (!figures.agents.length) agents.append(item(say("nobody")));
    return card;
  }

  function tick() {
    if (!state.figures) return;
    const since = (Date.now() - state.receivedAt) / 1000;
    for (const element of document.querySelectorAll(".ticking[data-seconds]")) {
      element.textContent = clock(Number(element.dataset.seconds) + since);
    }
  }

  function show(figures) {
    state.figures = figures;
    state.receivedAt = Date.now();
    $("as-of").textContent = say("updated", {
      time: new Date(figures.as_of).toLocaleTimeString(lang, { timeStyle: "medium" }),
    });
    $("categories").replaceChildren(...figures.categories.map(showCategory));
    tick();
  }

  function start() {
    calls.openSocket("/play/api/wallboard/ws", {
      message: function (message) {
        $("offline").hidden = true;
        if (message.type === "state") show(message);
      },
      lost: function () { $("offline").hidden = false; },
      ended: function () { session.show("ended"); },
    });
    setInterval(tick, 1000);
  }

  window.porteroSession.onSession(start, { once: true });
})();
