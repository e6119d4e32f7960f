// Comments, enhanced: post, reply, vote and load more in place. Without this script every
// one of these works as a plain form or link; this file only saves the page reloads.
(function () {
  "use strict";

  // The page cache serves a reader who holds a cookie (signed in, or a guest who has commented)
  // the shared page only when this script runs in their browser, since it is what adds their
  // own part (applyReaderLayer below); without it they get a page rendered for them.
  document.cookie =
    "newsroom_js=1; path=/; SameSite=Lax" + (window.location.protocol === "https:" ? "; Secure" : "");

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
    setVote(form, data.vote);
  }

  function setVote(form, value) {
    const up = form.querySelector(".vote--up");
    const down = form.querySelector(".vote--down");
    up.setAttribute("aria-pressed", String(value === 1));
    down.setAttribute("aria-pressed", String(value === -1));
    up.value = value === 1 ? "clear" : "up";
    down.value = value === -1 ? "clear" : "down";
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

  // --- The reader's own layer -----------------------------------------------------------------
  // The page may be the copy every reader shares (it then names data-reader-url). When this
  // browser holds a cookie of its own (the site says so with newsroom_reader), one small private
  // request brings what is this reader's: their name and menu, the comment and follow forms as
  // theirs, their votes, edit and delete on their comments, their pending comments, messages.

  function hasCookie(name) {
    return document.cookie.split(";").some((part) => part.trim().startsWith(name + "="));
  }

  function shownIds() {
    return Array.from(section.querySelectorAll("article.comment[data-comment-id]"), (el) => el.dataset.commentId);
  }

  // A comment the shared page lacks (a new one, or the reader's own pending one): under its
  // parent when that is shown, else where the page's order puts a new thread.
  function placeItem(li, parentId) {
    const parent = parentId && document.getElementById("c" + parentId);
    if (parent) {
      threadListFor(parent.parentElement).appendChild(li);
      return;
    }
    const lists = section.querySelectorAll(".comment-page > ol.comment-thread");
    if (!lists.length) {
      const page = section.querySelector(".comment-page");
      const empty = section.querySelector(".comments__empty");
      if (empty) empty.remove();
      const list = document.createElement("ol");
      list.className = "comment-thread";
      list.appendChild(li);
      page.prepend(list);
    } else if (section.dataset.sort === "newest") {
      lists[0].prepend(li);
    } else {
      lists[lists.length - 1].appendChild(li);
    }
  }

  function showMessages(list) {
    const main = document.getElementById("main");
    if (!list || !list.length || !main) return;
    const box = document.createElement("div");
    box.className = "wrap messages";
    box.setAttribute("role", "status");
    list.forEach((message) => {
      const p = document.createElement("p");
      p.className = "message message--" + String(message.level || "info").split(" ")[0];
      p.textContent = message.text;
      box.appendChild(p);
    });
    main.before(box);
  }

  // The shared copy carries the markup of the reader's own part as <template> elements
  // (comments/includes/reader_templates.html); the layer brings only the values to fill in.
  function fromTemplate(id) {
    const template = document.getElementById(id);
    return template ? template.content.cloneNode(true) : null;
  }

  function fill(fragment, values) {
    fragment.querySelectorAll("[data-reader-fill]").forEach((slot) => {
      slot.replaceWith(document.createTextNode(String(values[slot.dataset.readerFill] ?? "")));
    });
    return fragment;
  }

  function applyUser(user) {
    const nav = document.querySelector(".account-nav");
    const menu = fromTemplate("reader-nav");
    if (nav && menu) {
      fill(menu, user);
      if (!user.staff) menu.querySelectorAll("[data-reader-staff]").forEach((el) => el.remove());
      // The sign-out form's token (named here: the shared copy holds no token field).
      menu.querySelectorAll("[data-reader-token]").forEach((input) => {
        input.name = "csrfmiddlewaretoken";
        input.value = user.token;
      });
      nav.replaceChildren(menu);
    }
    if (mainForm) {
      mainForm.querySelectorAll(".comment-form__guest").forEach((el) => el.remove());
      const signin = mainForm.querySelector(".comment-form__signin");
      const commentingAs = fromTemplate("reader-commenting-as");
      if (signin && commentingAs) signin.replaceChildren(fill(commentingAs, user));
    }
    const follow = section.querySelector(".follow-form");
    const box = fromTemplate(user.following ? "reader-follow-on" : "reader-follow-off");
    if (follow && box) follow.replaceWith(box);
  }

  // The reader's own comment: its votes as a summary (one does not vote on one's own), no
  // report link, and edit (while allowed) and delete.
  function applyOwn(id, own) {
    const footer = section.querySelector("#c" + id + " > .comment__actions");
    const actions = fromTemplate("reader-own-actions");
    if (!footer || !actions) return;
    const form = footer.querySelector(".vote-form");
    const count = (selector) => {
      const el = form && form.querySelector(selector + " .vote__count");
      return el ? el.textContent : "0";
    };
    fill(actions, { up: count(".vote--up"), down: count(".vote--down") });
    actions.querySelectorAll("[data-reader-href]").forEach((link) => {
      link.href = link.dataset.readerHref.replace("{id}", String(Number(id)));
      link.removeAttribute("data-reader-href");
    });
    if (!own.edit) actions.querySelectorAll("[data-reader-edit]").forEach((el) => el.remove());
    const summary = actions.querySelector(".vote-summary");
    if (form) form.replaceWith(summary);
    else summary.remove();
    footer.querySelectorAll("[data-report]").forEach((el) => el.remove());
    footer.insertBefore(actions, footer.querySelector(".collapse-toggle"));
  }

  function applyGuest(details) {
    if (!mainForm || !details) return;
    ["name", "email"].forEach((name) => {
      const input = mainForm.elements.namedItem(name);
      if (input && !input.value && details[name]) input.value = details[name];
    });
  }

  async function applyReaderLayer() {
    if (!section.dataset.readerUrl || !hasCookie("newsroom_reader")) return;
    const url = new URL(section.dataset.readerUrl, window.location.href);
    url.searchParams.set("ids", shownIds().join(","));
    let data;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      data = await response.json();
    } catch (error) {
      return;
    }
    if (data.user) applyUser(data.user);
    else applyGuest(data.guest);
    showMessages(data.messages);
    Object.entries(data.votes || {}).forEach(([id, value]) => {
      const form = section.querySelector("#c" + id + " > .comment__actions .vote-form");
      if (form) setVote(form, value);
    });
    Object.entries(data.own || {}).forEach(([id, own]) => applyOwn(id, own));
    (data.pending || []).forEach((item) => {
      if (document.getElementById("c" + item.id)) return;
      const li = document.createElement("li");
      li.className = "comment-thread__item";
      li.appendChild(fromHTML(item.html));
      placeItem(li, item.parent);
      enhance(li);
    });
  }

  // --- New comments while the page is open ------------------------------------------------------
  // Every few seconds while the tab is visible, one tiny request asks whether the article
  // changed: the site answers 304 from the article's version while nothing did. New visible
  // comments are offered in a bar fixed at the foot of the window (nothing on the page moves),
  // announced politely to screen readers, and fetched, rendered by the site, when asked for.

  const POLL_MS = 5000;
  const bar = section.querySelector("[data-live-bar]");
  const barButton = bar && bar.querySelector("button");
  const liveStatus = section.querySelector("[data-live-status]");
  let liveVersion = section.dataset.liveVersion || "";
  let since = Number(section.dataset.liveSince || 0);
  let waiting = [];
  let announced = 0;
  let timer = null;
  let polling = false;

  function showBar() {
    const count = waiting.length;
    if (!count) {
      bar.hidden = true;
      return;
    }
    const text = label(count === 1 ? "NewOne" : "NewMany").replace("%s", count);
    barButton.textContent = text;
    bar.hidden = false;
    if (count !== announced) {
      liveStatus.textContent = text;
      announced = count;
    }
  }

  function schedule() {
    if (timer === null && !polling && document.visibilityState === "visible") {
      timer = window.setTimeout(poll, POLL_MS);
    }
  }

  async function poll() {
    timer = null;
    if (polling || document.visibilityState !== "visible") return;
    polling = true;
    try {
      const headers = { Accept: "application/json" };
      if (liveVersion) headers["If-None-Match"] = '"' + liveVersion + '"';
      const response = await fetch(section.dataset.liveUrl, { headers, cache: "no-store", credentials: "same-origin" });
      if (response.status === 200) {
        const data = await response.json();
        liveVersion = data.version || "";
        waiting = (data.latest || []).filter((id) => id > since && !document.getElementById("c" + id));
        showBar();
      }
    } catch (error) {
      // Offline for a moment: the next check will tell.
    } finally {
      polling = false;
    }
    schedule();
  }

  async function showNew() {
    const url = new URL(section.dataset.liveUrl + "new/", window.location.href);
    url.searchParams.set("since", since);
    barButton.setAttribute("aria-busy", "true");
    let response = null;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch (error) {
      response = null;
    }
    barButton.removeAttribute("aria-busy");
    if (!response || !response.ok) return;
    const fragment = fromHTML(await response.text());
    let first = null;
    Array.from(fragment.children).forEach((li) => {
      const comment = li.querySelector("article.comment");
      if (!comment) return;
      const id = Number(comment.dataset.commentId);
      since = Math.max(since, id);
      if (document.getElementById("c" + id)) return;
      placeItem(li, li.dataset.parent);
      enhance(li);
      if (!first) first = comment;
    });
    waiting = [];
    announced = 0;
    bar.hidden = true;
    liveStatus.textContent = "";
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus();
    }
  }

  function startLiveUpdates() {
    if (!section.dataset.liveUrl || !bar || !barButton || !liveStatus) return;
    barButton.addEventListener("click", showNew);
    document.addEventListener("visibilitychange", () => {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      if (document.visibilityState === "visible") poll();
    });
    schedule();
  }

  // A permalink's comment (?highlight=): the shared copy is the same for every address, so
  // the mark is added here (without this script, CSS marks the #fragment's comment).
  function markHighlight() {
    const id = new URLSearchParams(window.location.search).get("highlight");
    const target = id && /^[0-9]+$/.test(id) && document.getElementById("c" + id);
    if (target) target.classList.add("comment--highlight");
  }

  if (mainForm) mainForm.addEventListener("submit", onSubmitComment);
  markHighlight();
  enhance(section);
  enhancePassages();
  applyReaderLayer();
  startLiveUpdates();
})();
