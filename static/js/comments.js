// Comments, enhanced: post, reply, vote and load more in place. Without this script every
// one of these works as a plain form or link; this file only saves the page reloads.
(function () {
  "use strict";

  const section = document.getElementById("comments");
  if (!section) return;
  const mainForm = document.getElementById("comment-form");
  // Translated labels come from the page (data-label-* on the section).
  const label = (name) => section.dataset["label" + name] || "";

  function announce(form, text, isError) {
    const status = form.querySelector(".comment-form__status");
    if (!status) return;
    status.replaceChildren();
    if (!text) return;
    const p = document.createElement("p");
    p.className = "message " + (isError ? "message--error" : "message--success");
    p.textContent = text;
    status.appendChild(p);
  }

  function fromHTML(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  // POST a form's data, asking for JSON; an unreadable answer becomes a friendly error.
  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    try {
      return await response.json();
    } catch (error) {
      return { ok: false, message: label("Error") };
    }
  }

  function markErrors(form, errors) {
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    Object.keys(errors || {}).forEach((name) => {
      const field = form.elements.namedItem(name);
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
    });
  }

  function threadListFor(item) {
    let list = item.querySelector(":scope > ol.comment-thread");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-thread";
      item.appendChild(list);
    }
    return list;
  }

  function insertComment(form, html) {
    const parentId = form.elements.namedItem("parent").value;
    const li = document.createElement("li");
    li.className = "comment-thread__item";
    li.appendChild(fromHTML(html));
    if (parentId) {
      const parent = document.getElementById("c" + parentId);
      threadListFor(parent.parentElement).appendChild(li);
    } else {
      const page = section.querySelector(".comment-page");
      const empty = section.querySelector(".comments__empty");
      if (empty) empty.remove();
      let list = page.querySelector(":scope > ol.comment-thread");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-thread";
        page.prepend(list);
      }
      list.appendChild(li);
    }
    enhance(li);
    return li.querySelector("article.comment");
  }

  async function onSubmitComment(event) {
    const form = event.target;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = await postJSON(form.action, new FormData(form));
      if (data.ok) {
        form.elements.namedItem("body").value = "";
        markErrors(form, {});
        if (!data.html) {
          // Held for review and not shown: the message says so, in the form that sent it.
          announce(form, data.message, false);
          return;
        }
        const heading = document.getElementById("comments-heading");
        if (heading && data.heading) heading.textContent = data.heading;
        const comment = insertComment(form, data.html);
        announce(mainForm || form, data.message, false);
        if (form !== mainForm) form.remove();
        comment.classList.add("comment--highlight");
        comment.setAttribute("tabindex", "-1");
        comment.focus();
      } else {
        markErrors(form, data.errors);
        announce(form, data.message, true);
      }
    } catch (error) {
      announce(form, label("Offline"), true);
    } finally {
      button.disabled = false;
    }
  }

  function openReply(link) {
    const id = link.dataset.replyTo;
    const comment = document.getElementById("c" + id);
    const existing = comment.parentElement.querySelector(":scope > .comment-form--reply");
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    const form = mainForm.cloneNode(true);
    form.id = "reply-form-" + id;
    form.classList.add("comment-form--reply");
    form.querySelectorAll("[id]").forEach((el) => {
      el.id = el.id + "-r" + id;
    });
    form.querySelectorAll("label[for]").forEach((label) => {
      label.htmlFor = label.htmlFor + "-r" + id;
    });
    form.querySelectorAll("[aria-describedby]").forEach((el) => {
      el.setAttribute(
        "aria-describedby",
        el.getAttribute("aria-describedby").split(" ").map((x) => x + "-r" + id).join(" ")
      );
    });
    form.elements.namedItem("parent").value = id;
    form.elements.namedItem("body").value = "";
    announce(form, "", false);
    const button = form.querySelector("button[type=submit]");
    button.textContent = label("PostReply");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button--secondary";
    cancel.textContent = label("Cancel");
    cancel.addEventListener("click", () => {
      form.remove();
      link.focus();
    });
    button.after(cancel);
    form.addEventListener("submit", onSubmitComment);
    comment.after(form);
    form.querySelector("textarea").focus();
  }

  async function onVote(event) {
    event.preventDefault();
    const form = event.target;
    const clicked = event.submitter;
    const body = new FormData(form);
    if (clicked) body.set("value", clicked.value);
    let data;
    try {
      data = await postJSON(form.action, body);
    } catch (error) {
      data = { ok: false, message: label("Offline") };
    }
    const up = form.querySelector(".vote--up");
    const down = form.querySelector(".vote--down");
    if (!data.ok) {
      let note = form.querySelector(".vote-form__error");
      if (!note) {
        note = document.createElement("span");
        note.className = "vote-form__error";
        note.setAttribute("role", "alert");
        form.appendChild(note);
      }
      note.textContent = data.message || "";
      return;
    }
    // The count is part of each button's name ("Upvote 3"), so the name follows it.
    up.querySelector(".vote__count").textContent = data.upvotes;
    down.querySelector(".vote__count").textContent = data.downvotes;
    up.setAttribute("aria-pressed", String(data.vote === 1));
    down.setAttribute("aria-pressed", String(data.vote === -1));
    up.value = data.vote === 1 ? "clear" : "up";
    down.value = data.vote === -1 ? "clear" : "down";
  }

  async function loadMore(link) {
    const url = new URL(section.dataset.fragmentUrl, window.location.href);
    url.searchParams.set("comments", link.dataset.sort);
    url.searchParams.set("cpage", link.dataset.page);
    link.setAttribute("aria-busy", "true");
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) {
      window.location.href = link.href;
      return;
    }
    const fragment = fromHTML(await response.text());
    const pager = link.closest(".comment-pager");
    const container = document.getElementById("comment-threads");
    const page = fragment.querySelector(".comment-page");
    pager.remove();
    container.appendChild(page);
    enhance(page);
    const first = page.querySelector("article.comment");
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus();
    }
  }

  function addCollapse(root) {
    root.querySelectorAll("li.comment-thread__item").forEach((item) => {
      const replies = item.querySelector(":scope > ol.comment-thread");
      const comment = item.querySelector(":scope > article.comment");
      if (!replies || !comment || comment.querySelector(".collapse-toggle")) return;
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "button--link collapse-toggle";
      toggle.setAttribute("aria-expanded", "true");
      toggle.textContent = label("Hide");
      toggle.addEventListener("click", () => {
        const open = toggle.getAttribute("aria-expanded") === "true";
        replies.hidden = open;
        toggle.setAttribute("aria-expanded", String(!open));
        toggle.textContent = open
          ? label("Show").replace("%s", replies.querySelectorAll("article.comment").length)
          : label("Hide");
      });
      const actions = comment.querySelector(".comment__actions") || comment;
      actions.appendChild(toggle);
    });
  }

  function enhance(root) {
    root.querySelectorAll("form.vote-form").forEach((form) => form.addEventListener("submit", onVote));
    if (mainForm) {
      root.querySelectorAll("a.reply-link").forEach((link) =>
        link.addEventListener("click", (event) => {
          event.preventDefault();
          openReply(link);
        })
      );
    }
    root.querySelectorAll("a.load-more").forEach((link) =>
      link.addEventListener("click", (event) => {
        event.preventDefault();
        loadMore(link);
      })
    );
    addCollapse(root);
  }

  if (mainForm) mainForm.addEventListener("submit", onSubmitComment);
  enhance(section);
})();
