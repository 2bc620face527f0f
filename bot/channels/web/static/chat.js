"use strict";
// The chat page. Every text from the server is put into the page with textContent or text
// nodes, never as HTML; hotline numbers become tel: links built element by element.
(() => {
  const HOTLINES = /(?<![\d.¥￥])(110|119|120|122|12315|12333|12345|12348|12356|96110)(?![\d元天日个年月%％万])/g;
  const LARGE_KEY = "legalbot.largeText";
  const NETWORK_ERROR = "网络好像断了，请检查网络后再试，或直接拨打 12348。";
  const THANKS_TIMEOUT_MS = 4000;

  const scroller = document.getElementById("scroller");
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const largeToggle = document.getElementById("large-text");
  let queue = Promise.resolve();

  // --- large text, remembered ------------------------------------------------------------
  function setLarge(on) {
    document.documentElement.classList.toggle("large", on);
    largeToggle.setAttribute("aria-pressed", String(on));
    largeToggle.setAttribute("aria-label", on ? "大字模式已开启，点击恢复标准字号" : "开启大字模式");
    try { localStorage.setItem(LARGE_KEY, on ? "1" : "0"); } catch (e) { /* private mode: not remembered */ }
  }
  let rememberedLarge = false;
  try { rememberedLarge = localStorage.getItem(LARGE_KEY) === "1"; } catch (e) { /* no storage */ }
  setLarge(rememberedLarge);
  largeToggle.addEventListener("click", () => setLarge(largeToggle.getAttribute("aria-pressed") !== "true"));

  // --- talking to the server -------------------------------------------------------------
  function messageId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function call(path, body) {
    const init = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch("api/" + path, init);
    } catch (e) {
      response = await fetch("api/" + path, init).catch(() => null); // one retry: the message id keeps it answered once
      if (!response) throw new Error(NETWORK_ERROR);
    }
    let data = null;
    try { data = await response.json(); } catch (e) { /* not JSON: a proxy's error page */ }
    if (!response.ok || !data) throw new Error((data && data.error) || NETWORK_ERROR);
    return data;
  }

  // --- drawing messages ------------------------------------------------------------------
  function appendLinked(parent, text) {
    let last = 0;
    for (const match of text.matchAll(HOTLINES)) {
      parent.append(text.slice(last, match.index));
      const link = document.createElement("a");
      link.className = "tel";
      link.href = "tel:" + match[1];
      link.textContent = match[1];
      link.setAttribute("aria-label", "拨打 " + match[1]);
      parent.append(link);
      last = match.index + match[0].length;
    }
    parent.append(text.slice(last));
  }

  // Scroll the conversation only (scrollIntoView would also shift the page under the header):
  // a long answer is shown from its start, anything else at the bottom.
  function reveal(li) {
    const top = li.offsetTop - 8;
    const fromBottom = li.offsetTop + li.offsetHeight - scroller.clientHeight + 16;
    scroller.scrollTop = li.offsetHeight > scroller.clientHeight ? top : Math.max(fromBottom, 0);
  }

  function item(role, who) {
    const li = document.createElement("li");
    li.className = role;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who;
    bubble.append(label);
    li.append(bubble);
    list.append(li);
    return [li, bubble];
  }

  function showUser(text) {
    const [li, bubble] = item("user", "您说：");
    bubble.append(text);
    reveal(li);
  }

  function showNote(text, isError) {
    const li = document.createElement("li");
    li.className = "note" + (isError ? " error" : "");
    li.textContent = text;
    list.append(li);
    reveal(li);
  }

  function showTyping() {
    const [li, bubble] = item("bot typing", "");
    bubble.append("正在查找解答…");
    reveal(li);
    return li;
  }

  function choiceButtons(rows) {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "可以点选的后续内容");
    for (const row of rows) {
      for (const choice of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.addEventListener("click", (event) => press(choice.action, choice.label, event.detail === 0));
        group.append(button);
      }
    }
    return group;
  }

  function feedbackButtons(answer) {
    const group = document.createElement("div");
    group.className = "feedback";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "这条回答有帮助吗？");
    const ask = document.createElement("span");
    ask.textContent = "有帮助吗？";
    group.append(ask);
    const thanks = document.createElement("span");
    thanks.className = "thanks";
    thanks.setAttribute("role", "status");
    const buttons = [["up", "👍 有帮助"], ["down", "👎 没帮助"]].map(([value, shown]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = shown;
      button.setAttribute("aria-label", shown.slice(shown.indexOf(" ") + 1));
      button.setAttribute("aria-pressed", String(answer.feedback === value));
      button.addEventListener("click", async () => {
        try {
          const result = await call("feedback", { inquiry_id: answer.feedback_id, value });
          if (result.recorded) {
            for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
          }
          thanks.textContent = result.message;
          setTimeout(() => { thanks.textContent = ""; }, THANKS_TIMEOUT_MS);
        } catch (e) {
          thanks.textContent = e.message;
        }
      });
      group.append(button);
      return button;
    });
    group.append(thanks);
    return group;
  }

  function showBot(answer, scroll) {
    const [li, bubble] = item("bot " + answer.kind, "助手说：");
    appendLinked(bubble, answer.text);
    if (answer.buttons && answer.buttons.length) li.append(choiceButtons(answer.buttons));
    if (answer.feedback_id) li.append(feedbackButtons(answer));
    if (scroll) reveal(li);
  }

  // --- turns ---------------------------------------------------------------------------------
  function turn(path, body, shownAs, focusInput) {
    queue = queue.then(async () => {
      showUser(shownAs);
      const typing = showTyping();
      try {
        const data = await call(path, { ...body, message_id: messageId() });
        typing.remove();
        showBot(data.answer, true);
      } catch (e) {
        typing.remove();
        showNote(e.message, true);
      }
      if (focusInput) input.focus();
    });
    return queue;
  }

  function press(action, label, byKeyboard) {
    return turn("press", { action }, label, byKeyboard);
  }

  function sendTyped() {
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    resize();
    turn("message", { text }, text, true);
  }

  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 8 * 16 * 1.4) + "px";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendTyped();
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that picks a word in a Chinese input method does not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      sendTyped();
    }
  });
  input.addEventListener("input", resize);

  // --- start: the welcome, then what this visitor was shown before (a reload, another tab) ----
  async function start() {
    try {
      const [welcome, history] = await Promise.all([call("welcome"), call("history")]);
      showBot(welcome.answer, false);
      for (const message of history.messages) {
        if (message.role === "user") {
          showUser(message.text);
        } else {
          showBot(message, false);
        }
      }
      const last = list.lastElementChild;
      if (last && history.messages.length) scroller.scrollTop = scroller.scrollHeight;
    } catch (e) {
      showNote(e.message, true);
    }
    document.body.dataset.ready = "1";
  }
  start();
})();
