// Search page of the CLAHRC WM Knowledge Base (templates/kb-search.html).
//
// Runs the reader's query (?q=..., as furo's sidebar search box sends it)
// against the Pagefind index that _ext/kb/search.py writes to pagefind/,
// merged with the index of recently written pages (pagefind-recent/) when
// pagefind/kb-recent.json names one (see _ext/kb/pagefind_bundle.py).
// Pagefind fetches only the index chunks the query's words live in, and
// the text of the results shown, never the whole index. Every URL is
// resolved against the page's content root, so the site works from any
// sub-path (https://example.org/kb/) and needs no network beyond its host.
// A classic script (not a module), so that opened from disk (file://),
// where browsers refuse to load modules, it can still say what to do.

(() => {
  const PAGE_SIZE = 10;

  const root = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
  const form = document.getElementById("kb-search-form");
  const input = document.getElementById("kb-search-query");
  const summary = document.getElementById("kb-search-summary");
  const list = document.getElementById("kb-search-results");
  const more = document.getElementById("kb-search-more");

  /** Pagefind's excerpt, keeping only its text and <mark> highlights. */
  function excerptNodes(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const out = [];
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.push(mark);
      } else {
        out.push(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  function resultItem(data) {
    const item = document.createElement("li");
    item.className = "kb-search-result";
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    const excerpt = document.createElement("p");
    excerpt.className = "kb-search-excerpt";
    excerpt.append(...excerptNodes(data.excerpt || ""));
    item.append(link, excerpt);
    return item;
  }

  /** The manifest of the recent index: which bundle, which main entries it replaces. */
  async function recentIndex() {
    try {
      const response = await fetch(new URL("pagefind/kb-recent.json", root), { cache: "no-cache" });
      return response.ok ? await response.json() : null;
    } catch (error) {
      return null;
    }
  }

  /** Results without the main index's stale entries, and each page once. */
  function current(results, superseded) {
    const hidden = new Set(superseded || []);
    const seen = new Set();
    return results.filter((r) => {
      if (hidden.has(r.id) || seen.has(r.id)) return false;
      seen.add(r.id);
      return true;
    });
  }

  function quoted(query) {
    return `\u2018${query}\u2019`;
  }

  async function showResults(results, start) {
    const batch = await Promise.all(results.slice(start, start + PAGE_SIZE).map((r) => r.data()));
    const items = batch.map(resultItem);
    list.append(...items);
    more.hidden = start + PAGE_SIZE >= results.length;
    return items;
  }

  async function run(query) {
    if (window.location.protocol === "file:") {
      summary.textContent = "Search works when the site is served by a web server, "
        + "not opened from files: for a local preview, run 'make serve'.";
      return;
    }
    summary.textContent = `Searching for ${quoted(query)}\u2026`;
    let pagefind;
    const manifest = recentIndex();
    try {
      pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    } catch (error) {
      summary.textContent = "Search is not available: its index was not found on this site.";
      return;
    }
    await pagefind.options({ baseUrl: root.pathname, excerptLength: 30 });
    const recent = await manifest;
    if (recent && recent.bundle) {
      await pagefind.mergeIndex(new URL(recent.bundle, root).href, { baseUrl: root.pathname });
    }
    const search = await pagefind.search(query);
    const results = current(search ? search.results : [], recent && recent.superseded);
    if (results.length === 0) {
      summary.textContent = `No results for ${quoted(query)}.`;
      return;
    }
    await showResults(results, 0);
    const noun = results.length === 1 ? "result" : "results";
    summary.textContent = `Found ${results.length} ${noun} for ${quoted(query)}.`;
    more.addEventListener("click", async () => {
      const shown = list.children.length;
      const items = await showResults(results, shown);
      // Keyboard and screen-reader users continue from the first new result.
      if (items.length) items[0].querySelector("a").focus();
    });
  }

  const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  input.value = query;
  for (const box of document.querySelectorAll("input.sidebar-search")) box.value = query;
  form.addEventListener("submit", (event) => {
    if (!input.value.trim()) event.preventDefault();
  });
  if (query) {
    document.title = `${query} - ${document.title}`;
    run(query).catch((error) => {
      summary.textContent = `Search failed: ${error.message || error}`;
    });
  } else {
    summary.textContent = "Type words to search for: an essay's words, an author's name, a theme or a cited work.";
  }
})();
