/* BDP Search — progressive enhancement only: the page works fully without this file.
 * 1. Sorting and page-size selects apply on change.
 * 2. A filter checkbox applies on change; after the reload the focus is back on it.
 * 3. Search-as-you-type: suggestions from /api/suggest in an ARIA combobox. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* On narrow screens the filters start folded, so the results come first into view. */
  if (window.matchMedia("(max-width: 900px)").matches) {
    document.querySelectorAll("details[data-collapse-on-mobile]").forEach(function (details) {
      details.removeAttribute("open");
    });
  }

  /* The filter whose change reloads the page: its checkbox gets the focus back. */
  var FOCUS_KEY = "bdp-filtr";

  function applyFilter(box) {
    if (!box.checked) {
      /* A parent switched off takes its chosen children along (e.g. subcategories). */
      var item = box.closest("li");
      item.querySelectorAll(".children input[type=checkbox]").forEach(function (child) {
        child.checked = false;
      });
    }
    try {
      window.sessionStorage.setItem(FOCUS_KEY, JSON.stringify({ name: box.name, value: box.value }));
    } catch (error) { /* storage off: the focus starts at the top */ }
    box.form.submit();
  }

  function restoreFilterFocus() {
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(FOCUS_KEY) || "null");
      window.sessionStorage.removeItem(FOCUS_KEY);
    } catch (error) {
      return;
    }
    var form = document.querySelector("form[data-facets]");
    if (!saved || !form) {
      return;
    }
    var same = null;
    var sibling = null;
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      if (box.name === saved.name && box.value === saved.value) {
        same = box;
      } else if (box.name === saved.name && !sibling) {
        sibling = box;
      }
    });
    var box = same || sibling;
    if (!box) {
      return;
    }
    /* Folded on a phone or behind "Pokaż więcej": unfold what holds it. */
    for (var parent = box.parentElement; parent; parent = parent.parentElement) {
      if (parent.tagName === "DETAILS") {
        parent.open = true;
      }
    }
    box.focus();
  }
  restoreFilterFocus();

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches || !target.form) {
      return;
    }
    if (target.matches("select[data-autosubmit]")) {
      target.form.submit();
    } else if (target.matches("form[data-facets] input[type=checkbox]")) {
      applyFilter(target);
    }
  });

  var input = document.getElementById("q");
  var list = document.getElementById("podpowiedzi");
  if (!input || !list || !window.fetch) {
    return;
  }
  var url = input.getAttribute("data-suggest-url");
  var timer = null;
  var controller = null;
  var options = [];
  var active = -1;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    options.forEach(function (option, i) {
      option.element.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].element.id);
      options[index].element.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(option) {
    if (option.url) {
      window.location.assign(option.url);
      return;
    }
    input.value = option.query;
    close();
    input.form.submit();
  }

  function addGroup(title) {
    var heading = document.createElement("li");
    heading.className = "suggest-group";
    heading.setAttribute("role", "presentation");
    heading.textContent = title;
    list.appendChild(heading);
  }

  function addOption(text, data, kind) {
    var element = document.createElement("li");
    element.id = "podpowiedz-" + options.length;
    element.className = "suggest-option suggest-" + kind;
    element.setAttribute("role", "option");
    element.setAttribute("aria-selected", "false");
    if (kind === "term" && text.length > input.value.length) {
      /* The part already typed stays plain; the completion is bold. */
      var completion = document.createElement("strong");
      completion.textContent = text.slice(input.value.length);
      element.appendChild(document.createTextNode(text.slice(0, input.value.length)));
      element.appendChild(completion);
    } else {
      element.textContent = text;
    }
    var option = { element: element, url: data.url, query: data.query };
    element.addEventListener("mousedown", function (event) {
      event.preventDefault(); /* keep focus in the input */
      choose(option);
    });
    options.push(option);
    list.appendChild(element);
  }

  function render(data) {
    close();
    if (!data.terms.length && !data.titles.length) {
      return;
    }
    if (data.terms.length) {
      addGroup("Podpowiedzi");
      data.terms.forEach(function (term) { addOption(term.query, term, "term"); });
    }
    if (data.titles.length) {
      addGroup("Praktyki");
      data.titles.forEach(function (title) { addOption(title.title, title, "title"); });
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function fetchSuggestions() {
    var text = input.value;
    if (text.trim().length < 2) {
      close();
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    fetch(url + "?q=" + encodeURIComponent(text), { signal: controller.signal })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.query === input.value) {
          render(data);
        }
      })
      .catch(function () { /* aborted or offline: no suggestions */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, 120);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden || !options.length) {
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });
})();
