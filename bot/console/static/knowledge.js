// The knowledge editor's page script: checks and the phone preview while staff type, "try a
// question" against the draft, and the intent list's filter. Every text is put in with
// textContent, never as HTML.
"use strict";

(function () {
  const DEBOUNCE_MS = 500;

  const filter = document.getElementById("intent-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const words = filter.value.trim().toLowerCase();
      document.querySelectorAll("tr[data-search]").forEach((row) => {
        row.hidden = words !== "" && !row.dataset.search.toLowerCase().includes(words);
      });
    });
  }

  const form = document.getElementById("intent-form");
  if (!form) return;

  function draftBody(extra) {
    return JSON.stringify(Object.assign(Object.fromEntries(new FormData(form)), extra || {}));
  }

  async function post(url, extra) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf, Accept: "application/json" },
      body: draftBody(extra),
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || "出错了");
    return data;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showProblems(problems) {
    const box = document.getElementById("problems");
    box.replaceChildren(...problems.map((p) => {
      const line = element("p", "problem " + p.severity, "【" + p.name + "】" + p.message);
      line.dataset.field = p.field;
      return line;
    }));
    form.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
    problems.filter((p) => p.severity === "error" && p.field).forEach((p) => {
      const field = form.elements[p.field];
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
    });
  }

  function bubble(reply) {
    const wrap = element("div", "message");
    wrap.append(element("div", "bubble", reply.text));
    reply.buttons.forEach((row) => {
      const line = element("div", "chips");
      row.forEach((label) => line.append(element("span", "chip", label)));
      wrap.append(line);
    });
    return wrap;
  }

  function showPreview(preview) {
    const phone = document.getElementById("preview");
    if (!preview) {
      phone.replaceChildren(element("p", "hint", "草稿有错误，改正后显示预览。"));
      return;
    }
    const parts = [bubble(preview.first)];
    preview.sections.forEach((section) => {
      parts.push(element("p", "tapped", "点“" + section.title + "”后："));
      parts.push(bubble(section));
    });
    phone.replaceChildren(...parts);
  }

  let timer = null;
  let asked = 0;
  async function check() {
    const mine = ++asked;
    try {
      const data = await post(form.dataset.draft);
      if (mine !== asked) return; // a newer check is on its way
      showProblems(data.problems);
      showPreview(data.preview);
    } catch (error) {
      showProblems([{ field: "", name: "检查", message: error.message, severity: "error" }]);
    }
  }
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });
  check();

  const tryForm = document.getElementById("try-form");
  tryForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("try-result");
    const question = document.getElementById("try-question").value;
    out.replaceChildren(element("p", "hint", "正在匹配……"));
    try {
      const data = await post(form.dataset.try, { question: question });
      const result = data.result;
      if (!result) {
        out.replaceChildren(element("p", "error", data.problems.length ? "草稿有错误，先改正。" : "请输入一个问题。"));
        return;
      }
      const verdict = element("p", result.is_this_intent ? "done" : "error",
        "匹配：" + result.title + "（" + Math.round(result.score) + " 分，" + result.status + "）");
      const list = element("ul", "evidence");
      result.evidence.forEach((e) => {
        const parts = [e.title + " " + Math.round(e.score) + " 分"];
        if (e.closest_example) parts.push("最像的例句：" + e.closest_example + "（" + e.example_score + "）");
        if (e.keywords_found.length) parts.push("关键词：" + e.keywords_found.join("、"));
        list.append(element("li", "", parts.join("；")));
      });
      out.replaceChildren(verdict, list);
    } catch (error) {
      out.replaceChildren(element("p", "error", error.message));
    }
  });
})();
