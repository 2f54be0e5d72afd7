/* LIVE room: realtime state (server-sent events) and chat (WebSocket).
 *
 * Element contract with the room template (clipcart/live/templates/live/room.html):
 *   [data-events-url]            the room; data-events-url = /api/v1/lives/{id}/events
 *   #live-viewers or [data-testid=live-viewers]   its text is replaced by the viewer count
 *   [data-testid=flash-stock]    "N of M left" of the running flash sale (updated on `stock`)
 *   .flash-stock[role=progressbar]  the sale's stock bar (aria-valuenow/max, inner <span>)
 *   #live-chat                   the chat box; data-room-id = room id. This script fills it:
 *     #live-chat-list (messages), #live-chat-form / #live-chat-input (composer),
 *     #live-chat-status (errors, slow mode, mute notices), moderator buttons per message.
 *
 * Events: `state` (first), `pin`, `flash_sale`, `status`, `bag` -> a `live-refresh` event on
 * <body> (the htmx state partial reloads); `stock` and `viewers` update the page in place;
 * `reset` (this client fell behind) -> reconnect. Open ONE event stream per page: each
 * stream counts as a viewer.
 */
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function refresh() { document.body.dispatchEvent(new Event("live-refresh")); }

  // ---- room state over SSE ----------------------------------------------------------
  function setViewers(count) {
    var node = $("#live-viewers") || $("[data-testid=live-viewers]");
    if (!node) return;
    var label = node.querySelector(".live-viewers-count");
    if (!label) {  // keep the icon, replace the number
      Array.prototype.slice.call(node.childNodes).forEach(function (child) {
        if (child.nodeType === 3) node.removeChild(child);
      });
      label = el("span", "live-viewers-count");
      node.appendChild(label);
    }
    label.textContent = String(count);
  }

  function setStock(left) {
    var text = $("[data-testid=flash-stock]");
    var bar = $(".flash-stock[role=progressbar]");
    var total = bar ? parseInt(bar.getAttribute("aria-valuemax"), 10) : 0;
    if (bar) {
      bar.setAttribute("aria-valuenow", String(left));
      var fill = bar.querySelector("span");
      if (fill && total) fill.style.width = Math.floor(100 * left / total) + "%";
    }
    if (text) text.textContent = left > 0 ? (total ? left + " of " + total + " left" : left + " left") : "Sold out";
    if (left === 0) refresh();
  }

  function openEvents(room) {
    var source = new EventSource(room.dataset.eventsUrl);
    window.clipcartLiveEvents = source;
    ["pin", "flash_sale", "status", "bag"].forEach(function (name) {
      source.addEventListener(name, refresh);
    });
    source.addEventListener("viewers", function (e) { setViewers(JSON.parse(e.data).viewers); });
    source.addEventListener("state", function (e) { setViewers(JSON.parse(e.data).viewers); });
    source.addEventListener("stock", function (e) { setStock(JSON.parse(e.data).stock_left); });
    source.addEventListener("reset", function () {  // dropped for being slow: start afresh
      source.close();
      refresh();
      setTimeout(function () { openEvents(room); }, 500);
    });
  }

  // ---- chat over WebSocket ----------------------------------------------------------
  function Chat(box) {
    this.box = box;
    this.roomId = box.dataset.roomId;
    this.me = null;
    this.moderator = false;
    this.retries = 0;
    this.build();
    this.connect();
  }

  Chat.prototype.build = function () {
    var empty = this.box.querySelector(".live-chat-empty");
    if (empty) empty.remove();
    this.list = el("ol", "chat-list");
    this.list.id = "live-chat-list";
    this.list.setAttribute("aria-live", "polite");
    this.status = el("p", "chat-status");
    this.status.id = "live-chat-status";
    this.form = el("form", "chat-form");
    this.form.id = "live-chat-form";
    this.input = el("input", "chat-input");
    this.input.id = "live-chat-input";
    this.input.type = "text";
    this.input.autocomplete = "off";
    this.input.maxLength = 200;
    this.input.placeholder = "Say something…";
    this.input.setAttribute("aria-label", "Chat message");
    var send = el("button", "btn primary chat-send", "Send");
    send.type = "submit";
    this.form.appendChild(this.input);
    this.form.appendChild(send);
    this.box.appendChild(this.list);
    this.box.appendChild(this.status);
    this.box.appendChild(this.form);
    var self = this;
    this.form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = self.input.value.trim();
      if (!body) return;
      if (self.send({ type: "send", body: body })) self.input.value = "";
    });
  };

  Chat.prototype.connect = function () {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/api/v1/lives/" + this.roomId + "/chat");
    var self = this;
    this.ws = ws;
    ws.onmessage = function (e) { self.receive(JSON.parse(e.data)); };
    ws.onopen = function () { self.retries = 0; };
    ws.onclose = function (e) {
      if (e.code === 4404 || self.retries > 8) { self.say("Chat is unavailable.", "error"); return; }
      self.retries += 1;
      setTimeout(function () { self.connect(); }, Math.min(15000, 500 * Math.pow(2, self.retries)));
    };
  };

  Chat.prototype.send = function (frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) { this.say("Reconnecting…", "error"); return false; }
    this.ws.send(JSON.stringify(frame));
    return true;
  };

  Chat.prototype.say = function (text, kind) {
    this.status.textContent = text || "";
    this.status.className = "chat-status" + (kind ? " " + kind : "");
  };

  Chat.prototype.receive = function (frame) {
    if (frame.type === "hello") {
      this.me = frame.user;
      this.moderator = frame.moderator;
      this.list.textContent = "";
      frame.messages.forEach(this.addMessage, this);
      this.form.hidden = !frame.user;
      if (!frame.user) this.say("Log in to chat.");
      else if (frame.muted) this.say("You are muted in this chat.", "error");
      else this.say(frame.slow_mode ? "Slow mode: one message every " + frame.slow_mode + " s." : "");
      this.box.classList.toggle("is-moderator", !!frame.moderator);
    } else if (frame.type === "chat") {
      this.onChat(frame);
    } else if (frame.type === "error") {
      var wait = frame.retry_after ? " (" + frame.retry_after + " s)" : "";
      this.say(frame.detail + wait, "error");
    } else if (frame.type === "ack") {
      this.say("");
    }
  };

  Chat.prototype.onChat = function (frame) {
    var mine = this.me && frame.user_id === this.me.id;
    if (frame.kind === "message") this.addMessage(frame.message);
    else if (frame.kind === "deleted") {
      var gone = this.list.querySelector('[data-message-id="' + frame.id + '"]');
      if (gone) gone.remove();
    } else if (frame.kind === "slow_mode") {
      this.say(frame.seconds ? "Slow mode: one message every " + frame.seconds + " s." : "Slow mode is off.");
    } else if (frame.kind === "muted" && mine) this.say("You are muted in this chat.", "error");
    else if (frame.kind === "unmuted" && mine) this.say("You can chat again.");
    else if ((frame.kind === "moderator_added" || frame.kind === "moderator_removed") && mine) {
      this.moderator = frame.kind === "moderator_added";
      this.box.classList.toggle("is-moderator", this.moderator);
    }
  };

  Chat.prototype.addMessage = function (m) {
    var item = el("li", "chat-msg");
    item.dataset.messageId = m.id;
    item.dataset.userId = m.user.id;
    item.appendChild(el("b", "chat-author", m.user.handle));
    item.appendChild(el("span", "chat-body", m.body));
    var self = this;
    if (this.me) {
      var tools = el("span", "chat-tools");
      var del = el("button", "chat-tool chat-mod", "Delete");
      del.type = "button";
      if (m.user.id === this.me.id) del.className = "chat-tool";
      del.addEventListener("click", function () { self.send({ type: "delete", id: m.id }); });
      tools.appendChild(del);
      if (m.user.id !== this.me.id) {
        var mute = el("button", "chat-tool chat-mod", "Mute 10 min");
        mute.type = "button";
        mute.addEventListener("click", function () {
          self.send({ type: "mute", user_id: m.user.id, minutes: 10 });
        });
        tools.appendChild(mute);
      }
      item.appendChild(tools);
    }
    var atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    this.list.appendChild(item);
    while (this.list.children.length > 200) this.list.removeChild(this.list.firstChild);
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  };

  document.addEventListener("DOMContentLoaded", function () {
    var room = $("[data-events-url]");
    if (room && window.EventSource && !window.clipcartLiveEvents) openEvents(room);
    var box = $("#live-chat");
    if (box && box.dataset.roomId && window.WebSocket) new Chat(box);
  });
})();
