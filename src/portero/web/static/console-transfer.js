// Transfers on the agent's console (docs/products/calls.md, "Transfers"): the form that hands
// the call on screen to another agent or to a category, with a note; what became of the last
// transfer asked for; and, on the console it rings on, who hands the call over, their note and
// the chat so far.
(function () {
  "use strict";
  const say = window.porteroSession.say;
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;

  function option(value, text, disabled) {
    const choice = document.createElement("option");
    choice.value = value;
    choice.textContent = text;
    choice.disabled = Boolean(disabled);
    return choice;
  }

  function group(label, options) {
    const optgroup = document.createElement("optgroup");
    optgroup.label = label;
    optgroup.append(...options);
    return optgroup;
  }

  // Where a transfer went: the agent it rang on, else what was asked for.
  function targetName(transfer) {
    const person = transfer.offered_to || transfer.to.agent || transfer.to.category;
    return person ? person.name : "";
  }

  class Transfers {
    // `send` passes a message to the server; `shown()` is the call on screen (or null).
    constructor(options) {
      this.send = options.send;
      this.shown = options.shown;
      this.form = $("transfer-form");
      this.status = $("transfer-status");
      this.refusal = null; // the server's refusal of the last transfer asked for: {code, callId}
      $("transfer-open").onclick = () => this.open();
      $("transfer-cancel").onclick = () => this.close();
      this.form.onsubmit = (event) => {
        event.preventDefault();
        this.submit();
      };
    }

    open() {
      this.form.hidden = false;
      $("transfer-open").setAttribute("aria-expanded", "true");
      $("transfer-target").replaceChildren(option("", say("transfer_loading"), true));
      this.send({ type: "directory" });
    }

    close() {
      this.form.hidden = true;
      $("transfer-open").setAttribute("aria-expanded", "false");
      $("transfer-note").value = "";
    }

    // The server's `directory`: the agents (free ones first to hand) and the categories.
    directory(found) {
      const agents = found.agents.map((agent) => option(
        "agent:" + agent.code,
        agent.free ? agent.name : say("transfer_agent_busy", { name: agent.name }),
        !agent.free,
      ));
      const categories = found.categories.map((category) => option(
        "category:" + category.code, category.name));
      const select = $("transfer-target");
      select.replaceChildren(option("", say("transfer_choose"), true));
      if (agents.length) select.append(group(say("transfer_agents"), agents));
      if (categories.length) select.append(group(say("transfer_categories"), categories));
      select.value = "";
      select.focus();
    }

    submit() {
      const call = this.shown();
      const [kind, code] = $("transfer-target").value.split(":");
      if (!call || !code) return;
      const message = { type: "transfer", call_id: call.call_id, note: $("transfer-note").value };
      message[kind] = code;
      this.refusal = null;
      if (this.send(message)) this.close();
    }

    // The refusal of a transfer asked for (nobody free, a target gone, one ringing already).
    refused(code) {
      const call = this.shown();
      this.refusal = call ? { code: code, callId: call.call_id } : null;
      if (call) this.show(call);
    }

    // What became of the shown call's last transfer, in words.
    show(call) {
      const transfer = call ? call.transfer : null;
      const refusal = this.refusal && call && this.refusal.callId === call.call_id
        ? this.refusal.code : null;
      let text = "";
      if (refusal === "TransferPending") text = say("transfer_pending");
      else if (refusal) text = say("transfer_unavailable");
      else if (transfer && transfer.status === "ringing") {
        text = say("transfer_ringing", { name: targetName(transfer) });
      } else if (transfer && (transfer.status === "rejected" || transfer.status === "timeout")) {
        text = say("transfer_" + transfer.status, { name: targetName(transfer) });
      }
      this.status.textContent = text;
      this.status.dataset.transfer = transfer ? transfer.status : "";
      $("transfer-open").disabled = Boolean(transfer && transfer.status === "ringing");
    }

    // The offer ringing here: for a transfer, who hands it over, their note, the chat so far.
    showOffer(offered) {
      const transfer = offered && offered.transfer;
      $("offer-title").textContent = transfer
        ? say("transfer_from", { name: transfer.from ? transfer.from.name : "" })
        : say("incoming");
      $("offer-note").hidden = !(transfer && transfer.note);
      $("offer-note").textContent = transfer && transfer.note
        ? say("transfer_note_from", { note: transfer.note }) : "";
      const history = $("offer-history");
      history.replaceChildren();
      history.hidden = !(transfer && offered.messages && offered.messages.length);
      if (history.hidden) return;
      for (const said of offered.messages) {
        const item = document.createElement("li");
        item.className = "from-" + said.from;
        const who = document.createElement("strong");
        who.textContent = said.from === "customer"
          ? (offered.customer.name || offered.customer.cellphone || "")
          : (said.agent ? said.agent.name : "");
        const when = document.createElement("time");
        when.dateTime = said.at;
        when.textContent = new Date(said.at).toLocaleTimeString(lang, { timeStyle: "short" });
        const text = document.createElement("span");
        text.textContent = said.text; // their words: text, never markup
        item.append(when, " ", who, " ", text);
        history.append(item);
      }
    }

    // Why a call left the console: another agent took it over (null: it ended).
    handedOver(current, callId) {
      const found = (current.handed_over || []).find((t) => t.call_id === callId);
      return found ? targetName(found) : null;
    }
  }

  window.PorteroTransfers = Transfers;
})();
