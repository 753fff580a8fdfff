// The console's callback requests: customers nobody answered, who asked to be called back
// (docs/products/calls.md, "Opening hours and callbacks"), oldest first, each with a phone link,
// the time they would like, their message (as text, never markup) and "Called back".
(function () {
  "use strict";
  const say = window.porteroSession.say;
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;

  function item(request, done) {
    const row = document.createElement("li");
    row.dataset.callback = request.id;
    const who = document.createElement("strong");
    who.textContent = request.customer.name || request.customer.id;
    row.append(who);
    if (request.customer.cellphone) {
      const phone = document.createElement("a");
      phone.href = "tel:" + request.customer.cellphone;
      phone.textContent = request.customer.cellphone;
      row.append(" ", phone);
    }
    const when = document.createElement("p");
    when.className = "callback-when";
    when.textContent = request.preferred_at
      ? say("callback_at", { time: new Date(request.preferred_at).toLocaleString(lang,
        { dateStyle: "medium", timeStyle: "short" }) })
      : say("callback_soon");
    row.append(when);
    if (request.message) {
      const note = document.createElement("p");
      note.className = "callback-message";
      note.textContent = request.message; // the customer's words: text, never markup
      row.append(note);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "quiet";
    button.textContent = say("callback_done");
    button.onclick = function () {
      button.disabled = true;
      done(request.id);
    };
    row.append(button);
    return row;
  }

  // `done(id)`: the agent pressed "Called back" on that request.
  function show(requests, done) {
    $("callback-list").replaceChildren(...requests.map((request) => item(request, done)));
    $("no-callbacks").hidden = requests.length > 0;
  }

  window.porteroConsoleCallbacks = { show: show };
})();
