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
        setPassage(form, "", "");
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
    // A reply answers the comment, not a passage of the article.
    setPassage(form, "", "");
    form.querySelectorAll("[data-passage-preview], .comment-form__passage-link").forEach((el) => el.remove());
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

  // "N more replies" and "Continue this thread": fetch a page of that comment's replies and
  // show it in place (the link opens the same replies as a page of their own without script).
  async function loadReplies(link) {
    const anchor = link.dataset.anchor || link.closest("article.comment").dataset.commentId;
    const page = link.dataset.page || "1";
    const url = new URL("/comments/" + anchor + "/replies/", window.location.href);
    url.searchParams.set("cpage", page);
    link.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch (error) {
      response = null;
    }
    if (!response || !response.ok) {
      window.location.href = link.href;
      return;
    }
    const fragment = fromHTML(await response.text());
    const item = document.getElementById("c" + anchor).parentElement;
    const list = fragment.querySelector("ol.comment-thread");
    const existing = item.querySelector(":scope > ol.comment-thread");
    const firstNew = list && list.querySelector("article.comment");
    const added = [];
    if (existing && page !== "1" && list) {
      added.push(...list.children);
      existing.append(...list.children);
    } else if (existing && list) {
      existing.replaceWith(list);
      added.push(list);
    } else if (list) {
      item.querySelector(":scope > article.comment").after(list);
      added.push(list);
    }
    link.closest("p").remove();
    const more = fragment.querySelector("p.more-replies");
    if (more) {
      item.appendChild(more);
      added.push(more);
    }
    added.forEach(enhance);
    addCollapse(item);
    if (firstNew) {
      firstNew.setAttribute("tabindex", "-1");
      firstNew.focus();
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
    root.querySelectorAll(".more-replies a[data-anchor], .continue-thread a").forEach((link) => {
      if (link.dataset.enhanced) return;
      link.dataset.enhanced = "1";
      link.addEventListener("click", (event) => {
        event.preventDefault();
        loadReplies(link);
      });
    });
    root.querySelectorAll("a.load-more").forEach((link) =>
      link.addEventListener("click", (event) => {
        event.preventDefault();
        loadMore(link);
      })
    );
    addCollapse(root);
  }

  // A comment on one passage: select words in one paragraph of the article, then press the
  // button that appears; the form then carries the paragraph and the words (checked again by
  // the site). Without this script, "comment on one passage" lists the paragraphs instead.
  function setPassage(form, number, words) {
    form.elements.namedItem("passage").value = number || "";
    form.elements.namedItem("quote").value = words || "";
    const box = form.querySelector("[data-passage-preview]");
    if (!box) return;
    box.querySelector("[data-passage-words]").textContent = words || "";
    box.hidden = !number;
  }

  function selectedPassage(story) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const node = selection.getRangeAt(0).commonAncestorContainer;
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const paragraph = element && element.closest("p[id^='para-']");
    if (!paragraph || !story.contains(paragraph)) return null;
    const words = Array.from(selection.toString().replace(/\s+/g, " ").trim());
    if (!words.length) return null;
    return { number: paragraph.id.slice("para-".length), words: words.slice(0, 600).join("").trim() };
  }

  function enhancePassages() {
    const story = document.getElementById("story-body");
    const preview = mainForm && mainForm.querySelector("[data-passage-preview]");
    if (!story || !preview) return;
    let chosen = null;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button passage-button";
    button.textContent = label("Passage");
    button.hidden = true;
    document.body.appendChild(button);
    document.addEventListener("selectionchange", () => {
      chosen = selectedPassage(story);
      button.hidden = !chosen;
    });
    button.addEventListener("click", () => {
      if (!chosen) return;
      setPassage(mainForm, chosen.number, chosen.words);
      button.hidden = true;
      window.getSelection().removeAllRanges();
      mainForm.scrollIntoView({ block: "start" });
      mainForm.elements.namedItem("body").focus();
    });
    const clear = preview.querySelector("[data-passage-clear]");
    clear.hidden = false;
    clear.addEventListener("click", () => {
      setPassage(mainForm, "", "");
      mainForm.elements.namedItem("body").focus();
    });
  }

  if (mainForm) mainForm.addEventListener("submit", onSubmitComment);
  enhance(section);
  enhancePassages();
})();
